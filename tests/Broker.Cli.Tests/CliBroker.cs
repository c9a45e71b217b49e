using Broker.Api.Tests.Lifecycle;
using Broker.Cli;

namespace Broker.Cli.Tests;

/// <summary>
/// A real Broker in-process (real PostgreSQL, the local Slurm cluster, simulated clouds at one simulated minute per real
/// second) that the CLI reaches through the test server's handler, as it would reach Broker over the network.
/// </summary>
public sealed class CliBroker : LifecycleApp
{
    public const string Url = "http://broker.test";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Simulated:TimeScale"] = "60",
        ["Providers:Simulated:ProvisioningDelay"] = "00:00:03",
        ["Logs:FollowPollInterval"] = "00:00:00.050",
    };

    /// <summary>A user of the CLI with a home of their own (so their config file is theirs), logged in as nobody yet.</summary>
    public CliUser NewUser(IReadOnlyDictionary<string, string>? variables = null) => new(this, variables);
}

/// <summary>One person's CLI: runs <c>broker ...</c> in-process and captures what it prints and its exit code.</summary>
public sealed class CliUser(CliBroker broker, IReadOnlyDictionary<string, string>? variables)
{
    public string Home { get; } = Directory.CreateTempSubdirectory("broker-cli-home-").FullName;

    public string ConfigDirectory => Path.Combine(Home, ".config", "broker");

    public async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, "", CancellationToken.None);

    public async Task<CliRun> RunAsync(string[] args, string stdin, CancellationToken ct, LiveWriter? liveOut = null, LiveWriter? liveError = null)
    {
        var output = liveOut ?? new LiveWriter();
        var error = liveError ?? new LiveWriter();
        var environment = new CliEnvironment
        {
            Out = output,
            Error = error,
            In = new StringReader(stdin),
            Variable = name => name == "HOME" ? Home : variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            Handler = () => broker.Server.CreateHandler(),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };
        var exit = await CliApp.RunAsync(args, environment, ct);
        var run = new CliRun(exit, output.Text, error.Text);
        Transcript.Append(args, run);
        return run;
    }

    /// <summary>Logs in with a new key of this role and team, as <c>broker login --api-key-stdin</c>.</summary>
    public async Task<string> LoginAsync(string role, string? team)
    {
        var key = await broker.CreateKeyAsync(role, team);
        var run = await RunAsync(["login", "--url", CliBroker.Url, "--api-key-stdin"], key + "\n", CancellationToken.None);
        Assert.True(run.Exit == ExitCodes.Ok, run.ToString());
        return key;
    }
}

public sealed record CliRun(int Exit, string Out, string Error)
{
    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>What a command has printed so far, readable while it still runs (a test waits on a line appearing).</summary>
public sealed class LiveWriter : TextWriter
{
    private readonly System.Text.StringBuilder text = new();

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    public async Task WaitForAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Text.Contains(expected, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{expected}' did not appear within {timeout.TotalSeconds} s in:\n{Text}");
            await Task.Delay(50);
        }
    }
}

/// <summary>Every command the tests ran with what it printed, in TestResults/cli/transcript.txt: what a user would see.</summary>
internal static class Transcript
{
    private static readonly string File = Path.Combine(Broker.Testing.RepoPaths.Root, "TestResults", "cli", "transcript.txt");
    private static readonly Lock Gate = new();
    private static bool started;

    public static void Append(string[] args, CliRun run)
    {
        lock (Gate)
        {
            if (!started)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(File)!);
                System.IO.File.WriteAllText(File, "");
                started = true;
            }
            var quoted = string.Join(' ', args.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a));
            System.IO.File.AppendAllText(File, $"$ broker {quoted}\n{run.Out}{(run.Error.Length > 0 ? "[stderr]\n" + run.Error : "")}[exit {run.Exit}]\n\n");
        }
    }
}
