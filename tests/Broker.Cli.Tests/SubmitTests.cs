using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Broker.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed partial class SubmitTests(CliBroker broker)
{
    [Fact]
    public async Task The_example_job_file_is_a_valid_submission_and_json_output_is_brokers_answer()
    {
        var user = broker.NewUser();
        var key = await user.LoginAsync("submitter", "cli-example");

        var run = await user.RunAsync("submit", JobFiles.Example, "--json");

        Assert.True(run.Exit == ExitCodes.Ok, run.ToString());
        var job = JsonNode.Parse(run.Out)!;
        using var api = broker.ClientWithKey(key);
        var stored = (await api.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job["id"]}"))!;
        Assert.Equal(("resnet50-train", "cli-example", 2, 128), (stored["name"]!.GetValue<string>(), stored["team"]!.GetValue<string>(),
            stored["gpu"]!["count"]!.GetValue<int>(), stored["memoryGb"]!.GetValue<int>()));
        Assert.Equal(["python", "train.py", "--epochs", "3"], stored["command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("vision", stored["labels"]!["project"]!.GetValue<string>());
        Assert.True(stored["spot"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Submitting_again_with_the_same_idempotency_key_returns_the_first_job()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-idem");
        var file = JobFiles.Cloud("idem", 30);

        var first = await user.RunAsync("submit", file, "--verbose");
        var key = KeyLine().Match(first.Error).Groups["key"].Value;
        var again = await user.RunAsync("submit", file, "--idempotency-key", key);
        var other = await user.RunAsync("submit", file);

        Assert.True(first.Exit == ExitCodes.Ok, first.ToString());
        Assert.NotEmpty(key);
        var id = JobId().Match(first.Out).Value;
        Assert.Contains($"already submitted job {id}", again.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(id, other.Out, StringComparison.Ordinal);
        var jobs = JsonNode.Parse((await user.RunAsync("jobs", "--json")).Out)!["items"]!.AsArray();
        Assert.Equal(2, jobs.Count);
    }

    [Fact]
    public async Task An_invalid_job_shows_the_problems_title_and_each_field_error_and_exits_1()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-invalid");
        var file = JobFiles.Write("""
            name: too-big
            gpu: {count: 0}
            cpuCores: 4
            memoryGb: 16
            image: ghcr.io/acme/train:1.4
            command: [python, train.py]
            estimatedDurationMinutes: 0
            """);

        var run = await user.RunAsync("submit", file);

        Assert.Equal(ExitCodes.Refused, run.Exit);
        Assert.Matches(@"^error: \S.* \(400\)\n", run.Error);
        Assert.Matches(@"(?m)^  gpu\.count: ", run.Error);
        Assert.Matches(@"(?m)^  estimatedDurationMinutes: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task A_job_no_capacity_can_hold_is_refused_with_the_field_that_is_too_big()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-huge");
        var file = JobFiles.Write("""
            name: huge-memory
            gpu: {count: 1, models: [A10G]}
            cpuCores: 4
            memoryGb: 16000
            image: ghcr.io/acme/train:1.4
            command: [python, train.py]
            estimatedDurationMinutes: 30
            """);

        var run = await user.RunAsync("submit", file);

        Assert.Equal(ExitCodes.Refused, run.Exit);
        Assert.Matches(@"^error: \S.* \(422\)\n", run.Error);
        Assert.Matches(@"(?m)^  memoryGb: ", run.Error);
    }

    [Theory]
    [InlineData("name: x\ngpus: 2\n", "job.yaml:2:1: unknown key 'gpus'")]
    [InlineData("name: x\ngpu:\n  count: two\n", "job.yaml:3:10: invalid value")]
    [InlineData("name: x\nname: y\n", "job.yaml:2:1:")]
    [InlineData("- name: x\n", "job.yaml:1:1:")]
    [InlineData("name: [unclosed\n", "job.yaml:")]
    [InlineData("", "the job file is empty")]
    public async Task A_bad_job_file_is_a_usage_error_naming_the_place_and_nothing_is_sent(string yaml, string expected)
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-bad-yaml");

        var run = await user.RunAsync("submit", JobFiles.Write(yaml));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse((await user.RunAsync("jobs", "--json")).Out)!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_wrong_command_line_is_exit_2_with_the_parsers_message()
    {
        var user = broker.NewUser();
        var run = await user.RunAsync("logs", "some-id", "--tail", "many");
        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("many", run.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await user.RunAsync("frobnicate")).Exit);
    }

    [GeneratedRegex("Idempotency-Key: (?<key>\\S+)")]
    private static partial Regex KeyLine();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex JobId();
}
