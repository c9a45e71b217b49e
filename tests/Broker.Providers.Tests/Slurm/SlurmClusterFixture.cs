using System.Diagnostics;

namespace Broker.Providers.Tests.Slurm;

[CollectionDefinition(Name)]
public sealed class SlurmCollection : ICollectionFixture<SlurmClusterFixture>
{
    public const string Name = "slurm";
}

/// <summary>
/// The real local Slurm cluster. Uses SLURM_URL / SLURM_TOKEN (and SLURM_USER, SLURM_CONF or BROKER_SLURM_DIR) when set;
/// otherwise reuses a running <c>scripts/slurm.sh</c> cluster or starts one, and stops it again only if it started it.
/// </summary>
public sealed class SlurmClusterFixture : IAsyncLifetime
{
    private bool _startedHere;

    public string Url { get; private set; } = "";
    public string Token { get; private set; } = "";
    public string User { get; private set; } = "root";
    public string Directory { get; private set; } = "";

    /// <summary>The team users' output directories, <c>&lt;root&gt;/&lt;user&gt;</c> (see <c>scripts/slurm.sh</c>).</summary>
    public string OutputRoot { get; private set; } = "";
    internal static string RepoRoot { get; } = FindRepoRoot();

    public async Task InitializeAsync()
    {
        Directory = Env("BROKER_SLURM_DIR") ?? (Env("SLURM_CONF") is { } conf ? Path.GetDirectoryName(conf)! : "/tmp/broker-slurm");
        if (Env("SLURM_URL") is { } url && Env("SLURM_TOKEN") is { } token)
        {
            (Url, Token, User) = (url, token, Env("SLURM_USER") ?? "root");
            OutputRoot = Env("SLURM_OUTPUT_ROOT") ?? Path.Combine(Directory, "teams");
            return;
        }
        var (exitCode, output) = await RunScriptAsync("env", Directory);
        if (exitCode != 0)
        {
            (exitCode, output) = await RunScriptAsync("start", Directory);
            Assert.True(exitCode == 0, "scripts/slurm.sh start failed:\n" + output);
            _startedHere = true;
        }
        var values = output.Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        (Url, Token, User) = (values["SLURM_URL"], values["SLURM_TOKEN"], values["SLURM_USER"]);
        OutputRoot = values["SLURM_OUTPUT_ROOT"];
    }

    public async Task DisposeAsync()
    {
        if (_startedHere)
        {
            await RunScriptAsync("stop", Directory);
        }
    }

    /// <summary>Runs <c>scripts/slurm.sh</c> against this cluster's directory; returns the exit code and stdout+stderr.</summary>
    public async Task<(int ExitCode, string Output)> RunScriptAsync(params string[] args)
    {
        if (args is ["scontrol", not "ping", ..])
        {
            await EnsureControllerAnswersAsync();
        }
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "slurm.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["BROKER_SLURM_DIR"] = Directory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // start may have to apt-get install Slurm first; everything else takes seconds.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(args[0] == "start" ? 10 : 2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// Restarts slurmctld when it no longer answers, so one crash or hang of the Debian daemon does not fail every later
    /// test. Each restart is written, with the controller's last log lines, to <c>log/test-heal.log</c>, which
    /// <c>scripts/test.sh</c> prints at the end of the run: a restart is visible, never silent.
    /// </summary>
    public async Task EnsureControllerAnswersAsync()
    {
        var (_, ping) = await RunScriptAsync("scontrol", "ping");
        if (ping.Contains(" is UP", StringComparison.Ordinal))
        {
            return;
        }
        var logTail = await TailAsync(Path.Combine(Directory, "log", "slurmctld.log"), 40);
        var (exitCode, output) = await RunScriptAsync("restart-ctld", Directory);
        var record = $"{DateTimeOffset.UtcNow:O} slurmctld did not answer a ping ({ping.Trim()}); restart-ctld exit {exitCode}\n"
            + $"--- slurmctld.log before the restart ---\n{logTail}\n--- restart-ctld ---\n{output}\n";
        await File.AppendAllTextAsync(Path.Combine(Directory, "log", "test-heal.log"), record);
        await Console.Error.WriteLineAsync(record);
        Assert.True(exitCode == 0, "slurmctld stopped answering and could not be restarted:\n" + record);
    }

    private static async Task<string> TailAsync(string path, int lines)
    {
        try
        {
            var all = await File.ReadAllLinesAsync(path);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({path}: {e.Message})";
        }
    }

    /// <summary>A team user's own directory on the nodes.</summary>
    public string TeamDirectory(string user) => Path.Combine(OutputRoot, user);

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Broker.sln not found above " + AppContext.BaseDirectory);
    }
}
