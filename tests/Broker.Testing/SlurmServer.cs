using System.Diagnostics;

namespace Broker.Testing;

/// <summary>
/// The local Slurm cluster for tests that drive on-prem jobs: the one named by <c>SLURM_URL</c>/<c>SLURM_TOKEN</c> (the test
/// script starts it), or else one started with <c>scripts/slurm.sh start</c>, which reuses a running cluster.
/// </summary>
public static class SlurmServer
{
    private static readonly Lazy<(string Url, string Token, string User)> Cluster = new(StartOrUseConfigured, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Url => Cluster.Value.Url;

    public static string Token => Cluster.Value.Token;

    public static string User => Cluster.Value.User;

    private static (string, string, string) StartOrUseConfigured()
    {
        if (Environment.GetEnvironmentVariable("SLURM_URL") is { Length: > 0 } url
            && Environment.GetEnvironmentVariable("SLURM_TOKEN") is { Length: > 0 } token)
        {
            return (url, token, Environment.GetEnvironmentVariable("SLURM_USER") ?? "root");
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
        return (lines["SLURM_URL"], lines["SLURM_TOKEN"], lines.GetValueOrDefault("SLURM_USER", "root"));
    }
}
