using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class StartupScriptTests : IDisposable
{
    private static readonly Guid JobId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly CallbackTokenSet Tokens = TokensFor(AllocationId);
    private static readonly string[] AllTokens = [Tokens.Started, Tokens.InterruptionNotice, Tokens.Finished];
    private readonly StartupScriptSandbox sandbox = new();

    private static readonly string[] Awkward =
    [
        "plain",
        "two words",
        "it's",
        "'",
        "''",
        "\"double\" quotes",
        "$(touch /tmp/broker-pwned)",
        "`id`",
        "${HOME} $PATH",
        "back\\slash\\",
        "semi; rm -rf /; echo",
        "new\nline",
        "tab\there",
        "*.txt ?",
        "!history !!",
        "",
        "-e",
        "--gpus",
        "ünïcödé ✓",
    ];

    public static TheoryData<string> AwkwardStrings => new(Awkward);

    private static StartupScriptSpec Spec(IReadOnlyList<string>? command = null, IReadOnlyDictionary<string, string>? environment = null,
        string? checkpointDir = null, int gpus = 2) =>
        new(JobId, AllocationId, "ghcr.io/acme/train:1.2", command ?? ["python", "train.py"], gpus,
            environment ?? new Dictionary<string, string>(), new Uri("https://broker.example.com/base/"), Tokens, checkpointDir);

    private static CallbackTokenSet TokensFor(Guid allocationId)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("startup-script-test-secret-0123456789abcdef");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new(tokens.Issue(allocationId, InstanceEventKind.Started, CallbackPurpose.CloudInstance, expiry),
            tokens.Issue(allocationId, InstanceEventKind.InterruptionNotice, CallbackPurpose.CloudInstance, expiry),
            tokens.Issue(allocationId, InstanceEventKind.Finished, CallbackPurpose.CloudInstance, expiry));
    }

    private static string Header(string token) => $"header = \"Authorization: Bearer {token}\"";

    private const string StartedBody = "{\"kind\":\"started\",\"seq\":1}";
    private const string NoticeBody = "{\"kind\":\"interruption-notice\",\"seq\":2}";

    private static string FinishedBody(int exitCode) => $"{{\"kind\":\"finished\",\"seq\":3,\"exitCode\":{exitCode}}}";

    [Fact]
    public async Task Rendered_script_is_valid_bash()
    {
        var script = StartupScript.Render(Spec(command: Awkward,
            environment: new Dictionary<string, string> { ["WEIRD"] = "a'b\"c $(x)" }, checkpointDir: "/ckpt"));
        var path = Path.Combine(sandbox.Directory, "check.sh");
        await File.WriteAllTextAsync(path, script);

        var (exitCode, output) = await StartupScriptSandbox.Bash(["-n", path]);

        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [MemberData(nameof(AwkwardStrings))]
    public async Task Shell_quoting_round_trips_through_bash(string value)
    {
        var (exitCode, output) = await StartupScriptSandbox.Bash(["-c", $"printf '%s' {StartupScript.ShellQuote(value)}"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(value, output);
    }

    [Fact]
    public async Task Script_posts_started_runs_the_container_with_every_argument_intact_and_posts_finished_with_its_exit_code()
    {
        string[] command = Awkward;
        var environment = new Dictionary<string, string> { ["WEIRD"] = "a'b\"c $(touch x) `id`", ["EMPTY"] = "" };
        var script = StartupScript.Render(Spec(command, environment, checkpointDir: "/ckpt"));

        var (exitCode, output) = await sandbox.Run(script, new Dictionary<string, string> { ["DOCKER_EXIT"] = "3" });

        Assert.True(exitCode == 3, output);
        Assert.Equal([StartedBody, FinishedBody(3)], sandbox.Events);
        var docker = sandbox.DockerArguments;
        Assert.Equal(["run", "--rm", "--name", $"broker-{AllocationId}", "--gpus", "all"], docker.Take(6));
        Assert.Equal(["ghcr.io/acme/train:1.2", .. command], docker.TakeLast(command.Length + 1));
        Assert.Contains("WEIRD=a'b\"c $(touch x) `id`", docker);
        Assert.Contains("EMPTY=", docker);
        Assert.Contains($"BROKER_JOB_ID={JobId}", docker);
        Assert.Contains("BROKER_CHECKPOINT_DIR=/ckpt", docker);
        Assert.Contains(Path.Combine(sandbox.Directory, "state", "checkpoints") + ":/ckpt", docker);
        Assert.DoesNotContain(docker, argument => AllTokens.Any(token => argument.Contains(token, StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "x")), "a $() inside a value must not run");
    }

    [Fact]
    public async Task Script_posts_seq_1_then_3_each_with_its_own_kind_token_and_never_a_token_on_a_command_line()
    {
        var (exitCode, output) = await sandbox.Run(StartupScript.Render(Spec()));

        Assert.True(exitCode == 0, output);
        Assert.Equal([(StartedBody, Header(Tokens.Started)), (FinishedBody(0), Header(Tokens.Finished))], sandbox.Posts);
        Assert.Contains($"https://broker.example.com/base/v1/instances/{AllocationId}/events", sandbox.CurlArguments, StringComparison.Ordinal);
        Assert.NotEmpty(sandbox.AllArguments);
        Assert.All(AllTokens, token =>
        {
            Assert.DoesNotContain(token, sandbox.AllArguments, StringComparison.Ordinal);
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_post_is_retried_on_5xx_and_connection_errors_until_acknowledged()
    {
        sandbox.AnswerWith("503", "000", "502", "202");

        var (exitCode, output) = await sandbox.Run(StartupScript.Render(Spec()));

        Assert.True(exitCode == 0, output);
        Assert.Equal([StartedBody, StartedBody, StartedBody, StartedBody, FinishedBody(0)], sandbox.Posts.Select(p => p.Body));
        Assert.Equal([StartedBody, FinishedBody(0)], sandbox.Events);
        Assert.Equal(1, sandbox.DockerRuns);
    }

    [Theory]
    [InlineData("409")]
    [InlineData("200")]
    [InlineData("401")]
    [InlineData("400")]
    public async Task An_acknowledgement_or_a_refusal_that_cannot_change_is_not_retried(string status)
    {
        sandbox.AnswerWith(status);

        var (exitCode, output) = await sandbox.Run(StartupScript.Render(Spec()));

        Assert.True(exitCode == 0, output);
        Assert.Equal([StartedBody, FinishedBody(0)], sandbox.Posts.Select(p => p.Body));
        Assert.Equal(1, sandbox.DockerRuns);
        Assert.Equal(status is "401" or "400", output.Contains($"refused with HTTP {status}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_job_still_runs_when_broker_stays_down()
    {
        sandbox.AnswerWith(Enumerable.Repeat("503", 3).ToArray());

        var (exitCode, output) = await sandbox.Run(StartupScript.Render(Spec()), new Dictionary<string, string> { ["BROKER_POST_ATTEMPTS"] = "3" });

        Assert.True(exitCode == 0, output);
        Assert.Equal([StartedBody, StartedBody, StartedBody, FinishedBody(0)], sandbox.Posts.Select(p => p.Body));
        Assert.Contains("could not post event started after 3 attempts (last HTTP 503)", output, StringComparison.Ordinal);
        Assert.Equal(1, sandbox.DockerRuns);
    }

    [Fact]
    public async Task Watcher_posts_an_interruption_notice_when_the_cloud_announces_one()
    {
        var script = StartupScript.Render(Spec());

        var (exitCode, output) = await sandbox.Run(script, new Dictionary<string, string>
        {
            ["FAKE_AWS"] = "1",
            ["FAKE_AWS_NOTICE"] = "1",
            ["WAIT_FOR_NOTICE"] = "1",
        });

        Assert.True(exitCode == 0, output);
        Assert.Equal([StartedBody, NoticeBody, FinishedBody(0)], sandbox.Events);
        Assert.Contains((NoticeBody, Header(Tokens.InterruptionNotice)), sandbox.Posts);
    }

    [Fact]
    public async Task A_gang_members_interruption_notice_names_the_member_the_cloud_reclaims()
    {
        var script = StartupScript.Render(Spec() with { GangMember = 1 });

        var (exitCode, output) = await sandbox.Run(script, new Dictionary<string, string>
        {
            ["FAKE_AWS"] = "1",
            ["FAKE_AWS_NOTICE"] = "1",
            ["WAIT_FOR_NOTICE"] = "1",
        });

        Assert.True(exitCode == 0, output);
        const string memberNotice = "{\"kind\":\"interruption-notice\",\"seq\":2,\"member\":1}";
        Assert.Equal([StartedBody, memberNotice, FinishedBody(0)], sandbox.Events);
        Assert.Equal(memberNotice, new InstanceEvent(AllocationId, InstanceEventKind.InterruptionNotice, 2, null, Member: 1).CanonicalBody);
        Assert.Throws<ArgumentException>(() => StartupScript.Render(Spec() with { GangMember = -1 }));
    }

    [Fact]
    public async Task A_second_boot_does_not_run_the_job_again()
    {
        var script = StartupScript.Render(Spec());

        await sandbox.Run(script);
        var (exitCode, _) = await sandbox.Run(script);

        Assert.Equal(0, exitCode);
        Assert.Equal(1, sandbox.DockerRuns);
        Assert.Equal(2, sandbox.Events.Count);
    }

    [Fact]
    public void Each_token_appears_only_in_its_authorization_header_line()
    {
        var script = StartupScript.Render(Spec(command: ["@TOKEN_STARTED@", "@DOCKER_RUN@"], environment: new Dictionary<string, string> { ["X"] = "@TOKEN_FINISHED@" }));

        Assert.All(AllTokens, token => Assert.Equal([Header(token)],
            script.Split('\n').Where(line => line.Contains(token, StringComparison.Ordinal))));
        Assert.Contains("'@TOKEN_STARTED@'", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_only_job_does_not_ask_docker_for_gpus()
    {
        Assert.DoesNotContain("--gpus", StartupScript.Render(Spec(gpus: 0)), StringComparison.Ordinal);
        Assert.Contains("--gpus all", StartupScript.Render(Spec(gpus: 1)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image", "-v/:/host")]
    [InlineData("env", "BAD-NAME")]
    [InlineData("token", "has space")]
    [InlineData("token", "quote\"")]
    [InlineData("checkpoint", "relative/dir")]
    public void Unsafe_input_is_rejected(string field, string value)
    {
        var spec = field switch
        {
            "image" => Spec() with { Image = value },
            "env" => Spec(environment: new Dictionary<string, string> { [value] = "x" }),
            "token" => Spec() with { CallbackTokens = Tokens with { Finished = value } },
            _ => Spec(checkpointDir: value),
        };

        Assert.Throws<ArgumentException>(() => StartupScript.Render(spec));
    }

    public void Dispose() => sandbox.Dispose();
}
