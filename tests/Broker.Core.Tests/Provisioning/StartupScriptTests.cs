using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class StartupScriptTests : IDisposable
{
    private const string Token = "tok3n.AbC-xyz_123+/=";
    private static readonly Guid JobId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
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
            environment ?? new Dictionary<string, string>(), new Uri("https://broker.example.com/base/"), Token, checkpointDir);

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
        Assert.Equal(["{\"kind\":\"started\"}", "{\"kind\":\"finished\",\"exitCode\":3}"], sandbox.Events);
        var docker = sandbox.DockerArguments;
        Assert.Equal(["run", "--rm", "--name", $"broker-{AllocationId}", "--gpus", "all"], docker.Take(6));
        Assert.Equal(["ghcr.io/acme/train:1.2", .. command], docker.TakeLast(command.Length + 1));
        Assert.Contains("WEIRD=a'b\"c $(touch x) `id`", docker);
        Assert.Contains("EMPTY=", docker);
        Assert.Contains($"BROKER_JOB_ID={JobId}", docker);
        Assert.Contains("BROKER_CHECKPOINT_DIR=/ckpt", docker);
        Assert.Contains(Path.Combine(sandbox.Directory, "state", "checkpoints") + ":/ckpt", docker);
        Assert.DoesNotContain(docker, argument => argument.Contains(Token, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "x")), "a $() inside a value must not run");
    }

    [Fact]
    public async Task Events_go_to_the_allocation_url_with_the_bearer_token_in_curl_config_not_on_the_command_line()
    {
        var (exitCode, output) = await sandbox.Run(StartupScript.Render(Spec()));

        Assert.True(exitCode == 0, output);
        Assert.Equal(2, sandbox.Events.Count);
        Assert.Equal(2, sandbox.CurlConfig.Split('\n').Count(line => line == $"header = \"Authorization: Bearer {Token}\""));
        Assert.Contains($"https://broker.example.com/base/v1/instances/{AllocationId}/events", sandbox.CurlArguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, sandbox.CurlArguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
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
        Assert.Equal(
            ["{\"kind\":\"started\"}", "{\"kind\":\"interruption-notice\"}", "{\"kind\":\"finished\",\"exitCode\":0}"],
            sandbox.Events);
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
    public void Token_appears_only_in_the_authorization_header_lines()
    {
        var script = StartupScript.Render(Spec(command: ["@TOKEN@", "@DOCKER_RUN@"], environment: new Dictionary<string, string> { ["X"] = "@TOKEN@" }));

        var lines = script.Split('\n').Where(line => line.Contains(Token, StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Contains("Authorization: Bearer", line, StringComparison.Ordinal));
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
            "token" => Spec() with { CallbackToken = value },
            _ => Spec(checkpointDir: value),
        };

        Assert.Throws<ArgumentException>(() => StartupScript.Render(spec));
    }

    public void Dispose() => sandbox.Dispose();
}
