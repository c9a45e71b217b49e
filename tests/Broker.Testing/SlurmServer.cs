using System.Diagnostics;

namespace Broker.Testing;

/// <summary>
/// The local Slurm cluster for tests that drive on-prem jobs: the one named by <c>SLURM_URL</c>/<c>SLURM_TOKEN</c> (the test
/// script starts it), or else one started with <c>scripts/slurm.sh start</c>, which reuses a running cluster.
/// </summary>
public static class SlurmServer
{
    /// <summary>Unprivileged users <c>scripts/slurm.sh</c> creates for the tests, each with its output directory.</summary>
    public const string TeamUserA = "broker-team-a";

    public const string TeamUserB = "broker-team-b";

    private static readonly Lazy<(string Url, string Token, string User, string OutputRoot)> Cluster =
        new(StartOrUseConfigured, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Url => Cluster.Value.Url;

    public static string Token => Cluster.Value.Token;

    public static string User => Cluster.Value.User;

    /// <summary>Where the team users' output directories are (<c>&lt;root&gt;/&lt;user&gt;</c>, owner the user, mode 700).</summary>
    public static string OutputRoot => Cluster.Value.OutputRoot;

    /// <summary>The cluster's directory: <c>BROKER_SLURM_DIR</c>, else the one holding <c>SLURM_CONF</c>, else the script's default.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("BROKER_SLURM_DIR") is { Length: > 0 } dir ? dir
        : Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf ? Path.GetDirectoryName(conf)! : "/tmp/broker-slurm";

    private static (string, string, string, string) StartOrUseConfigured()
    {
        if (Environment.GetEnvironmentVariable("SLURM_URL") is { Length: > 0 } url
            && Environment.GetEnvironmentVariable("SLURM_TOKEN") is { Length: > 0 } token)
        {
            return (url, token, Environment.GetEnvironmentVariable("SLURM_USER") ?? "root",
                Environment.GetEnvironmentVariable("SLURM_OUTPUT_ROOT") is { Length: > 0 } root ? root : Path.Combine(Directory, "teams"));
        }
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "slurm.sh"), "start"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("scripts/slurm.sh start failed: " + errors.Result);
        }
        return (lines["SLURM_URL"], lines["SLURM_TOKEN"], lines.GetValueOrDefault("SLURM_USER", "root"), lines["SLURM_OUTPUT_ROOT"]);
    }
}
