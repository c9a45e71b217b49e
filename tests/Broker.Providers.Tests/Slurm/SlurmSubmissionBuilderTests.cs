using System.Text.Json;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmSubmissionBuilderTests
{
    private static readonly Guid AllocationId = Guid.Parse("6f1c2a8e-0b7d-4e55-9a51-3c1d2e4f5a6b");
    private static readonly Guid JobId = Guid.Parse("0d4e3b2a-1c9f-4a8e-b7d6-5e4f3a2b1c0d");

    private const string TeamDirectory = "/srv/broker/teams/broker-vision";

    private static OnPremJobRequest Request(TimeSpan limit, string script = "sleep 5", string? account = null) =>
        new(AllocationId, JobId, "gpu-h100-2", "h100", 2, limit, script, new Dictionary<string, string> { ["TEAM"] = "vision" },
            "broker-vision", account, TeamDirectory);

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
        Assert.StartsWith("#!/bin/bash\n", submission.Script, StringComparison.Ordinal);
        Assert.EndsWith("\nsleep 5", submission.Script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gang_is_one_job_over_its_members_with_gpus_per_node_and_its_command_run_once_per_node()
    {
        var gang = Request(TimeSpan.FromMinutes(30), "#!/bin/bash\nexec -- python train.py\n") with
        {
            Node = "gpu-h100-1", Gpus = 16, Nodes = ["gpu-h100-1", "gpu-h100-2"], CpusPerTask = 16, MemoryMb = 131072,
        };

        var submission = SlurmSubmissionBuilder.Build(gang, "h100", new SlurmOptions());
        var json = JsonSerializer.Serialize(submission, SlurmJsonContext.Default.SlurmJobSubmission);

        Assert.Equal(("gpu:h100:8", "gpu-h100-1,gpu-h100-2"), (submission.Job.Gres, submission.Job.NodeList));
        Assert.Contains("\"nodes\":[2,2]", json, StringComparison.Ordinal);
        Assert.Contains("\"tasks_per_node\":1", json, StringComparison.Ordinal);
        Assert.Contains("srun --nodes=2 --ntasks=2 --ntasks-per-node=1 --kill-on-bad-exit=1 --gres='gpu:h100:8' --cpus-per-task=16 --mem=131072 -- \"$@\"",
            submission.Script, StringComparison.Ordinal);
        Assert.True(submission.Script.IndexOf("exec() {", StringComparison.Ordinal) < submission.Script.IndexOf("exec -- python", StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_node_job_has_no_node_count_and_no_srun_step()
    {
        var submission = SlurmSubmissionBuilder.Build(Request(TimeSpan.FromMinutes(30)), "h100", new SlurmOptions());
        var json = JsonSerializer.Serialize(submission, SlurmJsonContext.Default.SlurmJobSubmission);

        Assert.DoesNotContain("\"nodes\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("srun", submission.Script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu-h100-2", "gpu-h100-1", 16)]
    [InlineData("gpu-h100-1", "gpu-h100-1", 16)]
    [InlineData("gpu-h100-1", "gpu-h100-2;reboot", 16)]
    [InlineData("gpu-h100-1", "gpu-h100-2", 15)]
    public void A_gang_with_bad_members_or_unequal_gpus_is_refused(string first, string second, int gpus)
    {
        var gang = Request(TimeSpan.FromMinutes(30)) with { Node = "gpu-h100-1", Gpus = gpus, Nodes = [first, second] };

        Assert.Throws<ArgumentException>(() => SlurmSubmissionBuilder.Build(gang, "h100", new SlurmOptions()));
    }

    [Fact]
    public void Slurm_log_working_directory_and_job_directory_are_inside_the_team_directory()
    {
        var submission = SlurmSubmissionBuilder.Build(Request(TimeSpan.FromMinutes(30), account: "vision-gpu"), "h100", new SlurmOptions());

        Assert.Equal(TeamDirectory, submission.Job.CurrentWorkingDirectory);
        Assert.Equal($"{TeamDirectory}/{AllocationId}.slurm.log", submission.Job.StandardOutput);
        Assert.Equal(submission.Job.StandardOutput, submission.Job.StandardError);
        Assert.Equal($"{TeamDirectory}/{AllocationId}", submission.Job.Environment["BROKER_OUTPUT_DIR"]);
        Assert.Equal("0077", submission.Job.Environment["SLURM_UMASK"]);
        Assert.Equal("vision-gpu", submission.Job.Account);
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
        Assert.Equal(TeamDirectory, job.GetProperty("current_working_directory").GetString());
        Assert.Equal($"{TeamDirectory}/{AllocationId}.slurm.log", job.GetProperty("standard_output").GetString());
        Assert.False(job.TryGetProperty("account", out _));
        var script = json.RootElement.GetProperty("script").GetString()!;
        Assert.StartsWith("#!/bin/bash\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("#!/bin/sh", script, StringComparison.Ordinal);
        Assert.EndsWith("\ntrue", script, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Script_under_bash_makes_a_private_job_directory_and_writes_the_output_there_even_when_run_again()
    {
        var team = Directory.CreateTempSubdirectory("broker-team-").FullName + "/it's a team";
        Directory.CreateDirectory(team);
        try
        {
            var request = Request(TimeSpan.FromMinutes(1), "#!/bin/bash\nexec -- 'printf' '%s\\n' '-n' '--version' \"$PWD\"\n") with { OutputDirectory = team };
            var script = SlurmSubmissionBuilder.Build(request, "h100", new SlurmOptions()).Script;

            Assert.Equal((0, ""), await RunBashAsync(script, team));
            Assert.Equal((0, ""), await RunBashAsync(script, team));

            var jobDirectory = Path.Combine(team, AllocationId.ToString());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(jobDirectory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(jobDirectory, "output.log")));
            var once = $"-n\n--version\n{jobDirectory}\n";
            Assert.Equal(once + once, await File.ReadAllTextAsync(Path.Combine(jobDirectory, "output.log")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(team)!, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunBashAsync(string script, string workingDirectory)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
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
