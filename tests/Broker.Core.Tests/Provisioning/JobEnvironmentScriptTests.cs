using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

/// <summary>The job-environment fragment (ADR 0015) under real bash, in the cloud boot script and the on-prem batch script.</summary>
public sealed class JobEnvironmentScriptTests : IDisposable
{
    private static readonly Guid JobId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly Uri Broker = new("https://broker.example.com/");
    private readonly JobEnvironmentSandbox sandbox = new();

    /// <summary>Values a shell would mangle or run if they were ever pasted into a script or a command line.</summary>
    private static readonly Dictionary<string, string> Hostile = new(StringComparer.Ordinal)
    {
        ["API_TOKEN"] = "s3cr3t-'quoted' \"double\" $(touch pwned) `touch pwned2` ${HOME} ;|&<>",
        ["PEM"] = "-----BEGIN KEY-----\nline two\ttabbed\n-----END KEY-----\n\n",
        ["EMPTY"] = "",
        ["SPACES"] = "  leading and trailing  ",
        ["UNICODE"] = "päss wörd ✓",
    };

    private static CallbackTokenSet Tokens(CallbackPurpose purpose)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("job-environment-test-secret-0123456789abcdef");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new(tokens.Issue(AllocationId, InstanceEventKind.Started, purpose, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.InterruptionNotice, purpose, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.Finished, purpose, expiry));
    }

    private static string BootScript(bool fetch = true) => StartupScript.Render(new StartupScriptSpec(JobId, AllocationId, "ghcr.io/acme/train:1",
        ["python", "train.py"], 1, new Dictionary<string, string>(), Broker, Tokens(CallbackPurpose.CloudInstance), FetchJobEnvironment: fetch));

    private static string BatchScript(string runSection) =>
        OnPremBatchScript.Render(AllocationId, Broker, Tokens(CallbackPurpose.OnPremScript), runSection, fetchJobEnvironment: true);

    [Fact]
    public async Task The_boot_script_fetches_the_variables_and_passes_each_by_name_to_the_container_with_its_exact_value()
    {
        sandbox.Serve(Hostile);
        var script = BootScript();

        var (exitCode, output) = await sandbox.Run(script);

        Assert.True(exitCode == 0, output);
        // In the order Broker sent them (the endpoint sorts; this stand-in does not).
        Assert.Equal(Hostile.Select(v => $"{v.Key}={v.Value}"), sandbox.DockerEnvironment);
        Assert.Equal(["{\"kind\":\"started\",\"seq\":1}", "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":0}"], sandbox.Events);
        Assert.Equal($"header = \"Authorization: Bearer {Tokens(CallbackPurpose.CloudInstance).Started}\"\n", sandbox.FetchConfig);
        Assert.Contains($"{Broker.AbsoluteUri}v1/instances/{AllocationId:D}/environment", sandbox.AllArguments, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "pwned")) || File.Exists(Path.Combine(sandbox.Directory, "pwned2")));
        foreach (var value in Hostile.Values.Where(v => v.Trim().Length > 0))
        {
            Assert.DoesNotContain(value.Trim(), script, StringComparison.Ordinal);
            Assert.DoesNotContain(value.Trim(), sandbox.AllArguments, StringComparison.Ordinal);
            Assert.DoesNotContain(value.Trim(), output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_refused_fetch_keeps_the_container_from_starting_and_reports_the_job_finished_with_exit_78()
    {
        sandbox.Serve(Hostile);
        sandbox.AnswerFetchWith("409");

        var (exitCode, output) = await sandbox.Run(BootScript());

        Assert.Equal(JobEnvironmentScript.FailureExitCode, exitCode);
        Assert.False(sandbox.DockerRan, output);
        Assert.Equal("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":78}", sandbox.Events[^1]);
        Assert.Contains("refused with HTTP 409", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_and_connection_errors_are_retried_until_the_variables_arrive()
    {
        sandbox.Serve(new Dictionary<string, string> { ["MODE"] = "fast" });
        sandbox.AnswerFetchWith("503", "000", "429", "200");

        var (exitCode, output) = await sandbox.Run(BootScript());

        Assert.True(exitCode == 0, output);
        Assert.Equal(4, sandbox.Fetches);
        Assert.Equal(["MODE=fast"], sandbox.DockerEnvironment);
    }

    [Theory]
    [InlineData("BROKER_EVENTS_URL aHR0cDovL2V2aWwv\n")]
    [InlineData("A;touch${IFS}pwned dmFsdWU=\n")]
    [InlineData("NOVALUE\n")]
    public async Task A_variable_name_the_script_may_not_take_stops_the_job(string answer)
    {
        sandbox.ServeRaw(answer);

        var (exitCode, output) = await sandbox.Run(BootScript());

        Assert.True(exitCode == JobEnvironmentScript.FailureExitCode, output);
        Assert.False(sandbox.DockerRan);
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "pwned")));
    }

    [Fact]
    public async Task A_job_without_variables_fetches_nothing_and_passes_no_names()
    {
        var script = BootScript(fetch: false);

        var (exitCode, output) = await sandbox.Run(script);

        Assert.True(exitCode == 0, output);
        Assert.Equal(0, sandbox.Fetches);
        Assert.DoesNotContain("broker_env", script, StringComparison.Ordinal);
        Assert.Empty(sandbox.DockerEnvironment);
    }

    [Fact]
    public async Task The_batch_script_exports_the_variables_and_their_names_before_the_run_section()
    {
        sandbox.Serve(Hostile);
        var record = Path.Combine(sandbox.Directory, "seen");
        var runSection = $"""
            for name in $BROKER_ENV_NAMES; do printf '%s=%s\0' "$name" "$(printenv "$name"; printf x)"; done > {StartupScript.ShellQuote(record)}
            echo "names: $BROKER_ENV_NAMES" > {StartupScript.ShellQuote(record + ".names")}

            """;

        var (exitCode, output) = await sandbox.Run(BatchScript(runSection));

        Assert.True(exitCode == 0, output);
        // printenv adds a line feed to each value; the x after it keeps trailing line feeds of the value itself.
        Assert.Equal(Hostile.Select(v => $"{v.Key}={v.Value}\nx"),
            File.ReadAllText(record).Split('\0')[..^1]);
        Assert.Equal("names: API_TOKEN PEM EMPTY SPACES UNICODE\n", File.ReadAllText(record + ".names"));
        Assert.Equal($"header = \"Authorization: Bearer {Tokens(CallbackPurpose.OnPremScript).Started}\"\n", sandbox.FetchConfig);
    }

    [Fact]
    public async Task A_fetch_that_keeps_failing_gives_up_after_the_scripts_attempt_limit_and_the_job_does_not_run()
    {
        sandbox.AnswerFetchWith([.. Enumerable.Repeat("503", 31)]);

        var (exitCode, output) = await sandbox.Run(BootScript());

        Assert.True(exitCode == JobEnvironmentScript.FailureExitCode, output);
        Assert.False(sandbox.DockerRan);
        Assert.Equal(30, sandbox.Fetches);
        Assert.Contains("could not get the job's variables after 30 attempts (last HTTP 503)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_batch_script_does_not_run_the_job_when_the_variables_cannot_be_fetched()
    {
        sandbox.AnswerFetchWith("401");
        var ran = Path.Combine(sandbox.Directory, "ran");

        var (exitCode, output) = await sandbox.Run(BatchScript($"touch {StartupScript.ShellQuote(ran)}\n"));

        Assert.True(exitCode == JobEnvironmentScript.FailureExitCode, output);
        Assert.False(File.Exists(ran));
    }

    public void Dispose() => sandbox.Dispose();
}
