using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class OnPremBatchScriptTests : IDisposable
{
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly CallbackTokenSet Tokens = TokensFor(AllocationId);
    private readonly StartupScriptSandbox sandbox = new();

    private static CallbackTokenSet TokensFor(Guid allocationId)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("onprem-script-test-secret-0123456789abcdef");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new(tokens.Issue(allocationId, InstanceEventKind.Started, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(allocationId, InstanceEventKind.InterruptionNotice, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(allocationId, InstanceEventKind.Finished, CallbackPurpose.OnPremScript, expiry));
    }

    private static string Render(IEnumerable<string> command) =>
        OnPremBatchScript.Render(AllocationId, new Uri("https://broker.example.com/"), Tokens,
            "command -- " + string.Join(' ', command.Select(StartupScript.ShellQuote)) + "\n");

    [Fact]
    public async Task Script_posts_started_then_finished_with_the_run_sections_exit_code_and_keeps_every_argument()
    {
        string[] arguments = ["it's", "$(touch pwned)", "`id`", "a b", "-e", ""];
        var record = Path.Combine(sandbox.Directory, "args");
        var script = Render(["bash", "-c", $"printf '%s\\0' \"$@\" > {record}; exit 4", "job", .. arguments]);

        var (exitCode, output) = await sandbox.Run(script);

        Assert.True(exitCode == 4, output);
        Assert.Equal(["{\"kind\":\"started\",\"seq\":1}", "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":4}"], sandbox.Events);
        Assert.Equal(arguments, File.ReadAllText(record).Split('\0')[..^1]);
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "pwned")), "a $() inside an argument must not run");
        Assert.Equal([$"header = \"Authorization: Bearer {Tokens.Started}\"", $"header = \"Authorization: Bearer {Tokens.Finished}\""],
            sandbox.Posts.Select(p => p.Config));
        Assert.DoesNotContain(Tokens.Finished, sandbox.CurlArguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_is_retried_through_server_errors_and_connection_errors_until_acknowledged()
    {
        sandbox.AnswerWith("202", "503", "000", "500", "202");

        var (exitCode, output) = await sandbox.Run(Render(["true"]));

        Assert.True(exitCode == 0, output);
        Assert.Equal(5, sandbox.Posts.Count);
        Assert.Equal(["{\"kind\":\"started\",\"seq\":1}", "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":0}"], sandbox.Events);
    }

    [Fact]
    public async Task A_command_named_like_a_script_function_runs_the_program_not_the_function()
    {
        var (exitCode, output) = await sandbox.Run(Render(["broker_post", "x", "y"]));

        Assert.True(exitCode == 127, output);
        Assert.Equal(2, sandbox.Events.Count);
    }

    [Fact]
    public async Task Started_and_finished_carry_when_they_happened_and_a_retry_carries_the_same_time()
    {
        sandbox.AnswerWith("202", "503", "202");
        var before = DateTimeOffset.UtcNow;

        var (exitCode, output) = await sandbox.Run(Render(["sleep", "1.2"]));

        Assert.True(exitCode == 0, output);
        var times = sandbox.PostTimes.Select(t => EventTimes.Parse(t) ?? throw new Xunit.Sdk.XunitException($"not RFC 3339: '{t}'")).ToList();
        Assert.Equal(3, times.Count);
        Assert.Equal(times[1], times[2]);
        Assert.InRange(times[0], before.AddSeconds(-1), before.AddSeconds(5));
        Assert.InRange(times[1] - times[0], TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(4));
    }

    public void Dispose() => sandbox.Dispose();
}
