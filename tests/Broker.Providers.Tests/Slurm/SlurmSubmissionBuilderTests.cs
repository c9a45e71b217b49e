using System.Text.Json;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmSubmissionBuilderTests
{
    private static readonly Guid AllocationId = Guid.Parse("6f1c2a8e-0b7d-4e55-9a51-3c1d2e4f5a6b");
    private static readonly Guid JobId = Guid.Parse("0d4e3b2a-1c9f-4a8e-b7d6-5e4f3a2b1c0d");

    private static OnPremJobRequest Request(TimeSpan limit, string script = "sleep 5") =>
        new(AllocationId, JobId, "gpu-h100-2", "h100", 2, limit, script, new Dictionary<string, string> { ["TEAM"] = "vision" });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(5400, 90)]
    [InlineData(0, 1)]
    public void Time_limit_is_rounded_up_to_whole_minutes(int seconds, int minutes) =>
        Assert.Equal(minutes, SlurmSubmissionBuilder.TimeLimitMinutes(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Submission_is_named_after_the_allocation_pinned_to_the_node_with_broker_environment()
    {
        var submission = SlurmSubmissionBuilder.Build(Request(TimeSpan.FromMinutes(30)), "h100", new SlurmOptions { Partition = "gpu" });

        Assert.Equal("broker-6f1c2a8e-0b7d-4e55-9a51-3c1d2e4f5a6b", submission.Job.Name);
        Assert.Equal(("gpu:h100:2", "gpu-h100-2", 30, "gpu"), (submission.Job.Gres, submission.Job.NodeList, submission.Job.TimeLimitMinutes, submission.Job.Partition));
        Assert.Equal(AllocationId.ToString(), submission.Job.Environment["BROKER_ALLOCATION_ID"]);
        Assert.Equal(JobId.ToString(), submission.Job.Environment["BROKER_JOB_ID"]);
        Assert.Equal("vision", submission.Job.Environment["TEAM"]);
        Assert.Contains("/usr/bin", submission.Job.Environment["PATH"], StringComparison.Ordinal);
        Assert.Equal("#!/bin/bash\nsleep 5", submission.Script);
    }

    [Fact]
    public void Wire_json_uses_v0_0_38_names_and_omits_an_unset_partition()
    {
        var submission = SlurmSubmissionBuilder.Build(Request(TimeSpan.FromMinutes(1), "#!/bin/sh\ntrue"), "h100", new SlurmOptions());

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(submission, SlurmJsonContext.Default.SlurmJobSubmission));
        var job = json.RootElement.GetProperty("job");

        Assert.False(job.TryGetProperty("partition", out _));
        Assert.Equal("gpu-h100-2", job.GetProperty("nodelist").GetString());
        Assert.Equal("gpu:h100:2", job.GetProperty("gres").GetString());
        Assert.Equal(1, job.GetProperty("time_limit").GetInt32());
        Assert.Equal("/tmp", job.GetProperty("current_working_directory").GetString());
        Assert.Equal("#!/bin/sh\ntrue", json.RootElement.GetProperty("script").GetString());
    }

    [Theory]
    [InlineData("h100", "h100")]
    [InlineData("H100-80GB", "h100")]
    [InlineData("A100-40GB", "a100")]
    [InlineData("L4", null)]
    public void Requested_model_resolves_to_the_nodes_own_gres_type(string requested, string? expected)
    {
        var gres = GresParser.Parse("gpu:h100:4(S:0),gpu:a100:4(S:1)");

        Assert.Equal(expected, SlurmSubmissionBuilder.ResolveGresType(gres, requested));
    }
}
