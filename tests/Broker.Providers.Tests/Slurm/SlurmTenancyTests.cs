using System.Globalization;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Testing;

namespace Broker.Providers.Tests.Slurm;

/// <summary>
/// Submits on behalf of a team's user on the real cluster (ADR 0005): Broker's privileged token plus
/// <c>X-SLURM-USER-NAME</c>. The suite runs as root; the jobs it submits must not.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmTenancyTests(SlurmClusterFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private OnPremJobRequest Request(string user, string script, string? account = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "gpu-l4-1", "l4", 1, TimeSpan.FromMinutes(1), script, new Dictionary<string, string>(),
            user, account, fixture.TeamDirectory(user));

    private static async Task<OnPremJobStatus> FinishedAsync(SlurmTestCluster slurm, Guid allocationId) =>
        (await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State is OnPremJobState.Completed or OnPremJobState.Failed, "the job to finish"))!;

    [Fact]
    public async Task A_job_runs_as_the_named_team_user_and_slurms_record_shows_that_user_and_account()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var request = Request(SlurmServer.TeamUserA, "id\nprintf '%s\\n' \"$PWD\" \"$BROKER_OUTPUT_DIR\"", account: "team-a-gpu");

        var submitted = await slurm.Cluster.SubmitAsync(request, None);
        var done = await FinishedAsync(slurm, request.AllocationId);

        Assert.Equal((OnPremJobState.Completed, 0), (done.State, done.ExitCode));
        var uid = PasswdFile.Read(PasswdFile.DefaultPath)[SlurmServer.TeamUserA];
        var record = (await slurm.Client.GetJobAsync(long.Parse(submitted.ClusterJobId, CultureInfo.InvariantCulture), None))!;
        Assert.Equal((SlurmServer.TeamUserA, (long?)uid, "team-a-gpu"), (record.UserName, record.UserId, record.Account));
        var jobDirectory = Path.Combine(fixture.TeamDirectory(SlurmServer.TeamUserA), request.AllocationId.ToString());
        var output = (await File.ReadAllTextAsync(Path.Combine(jobDirectory, "output.log"))).Split('\n');
        Assert.StartsWith($"uid={uid}({SlurmServer.TeamUserA})", output[0], StringComparison.Ordinal);
        Assert.Equal([jobDirectory, jobDirectory], output[1..3]);
        Assert.True(File.Exists(Path.Combine(fixture.TeamDirectory(SlurmServer.TeamUserA), $"{request.AllocationId}.slurm.log")));
    }

    [Fact]
    public async Task The_cpus_and_memory_the_job_asked_for_are_in_slurms_job_record()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var request = Request(SlurmServer.TeamUserA, "nproc") with { CpusPerTask = 3, MemoryMb = 5 * 1024 };

        var submitted = await slurm.Cluster.SubmitAsync(request, None);
        var done = await FinishedAsync(slurm, request.AllocationId);

        Assert.Equal((OnPremJobState.Completed, 0), (done.State, done.ExitCode));
        var record = (await slurm.Client.GetJobAsync(long.Parse(submitted.ClusterJobId, CultureInfo.InvariantCulture), None))!;
        // One task of 3 CPUs: Slurm allocates 3 (its default would be 1), and the node's memory request is 5 GiB.
        Assert.Equal((3, 5L * 1024), (record.Cpus, record.MemoryPerNodeMb));
    }

    [Fact]
    public async Task A_user_slurm_cannot_resolve_is_refused_and_its_job_cancelled_instead_of_requeued_forever()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var request = Request("broker-no-such-user", "true") with { OutputDirectory = fixture.TeamDirectory(SlurmServer.TeamUserA) };

        var refused = await Assert.ThrowsAsync<ProviderException>(() => slurm.Cluster.SubmitAsync(request, None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, refused.Kind);
        Assert.Contains("not as 'broker-no-such-user'", refused.Message, StringComparison.Ordinal);
        var job = Assert.Single(await slurm.JobsOfAsync(request.AllocationId));
        await Eventually.ReachAsync(async () => (await slurm.JobsOfAsync(request.AllocationId)).Single().JobState,
            state => state == "CANCELLED", "the job to be cancelled");
        Assert.Null(job.UserName);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("")]
    public async Task Submitting_as_root_or_nobody_at_all_is_refused_before_slurm_is_asked(string user)
    {
        using var slurm = new SlurmTestCluster(fixture);
        var request = Request(SlurmServer.TeamUserA, "id") with { UserName = user };

        var refused = await Assert.ThrowsAsync<ProviderException>(() => slurm.Cluster.SubmitAsync(request, None));

        Assert.Equal(("privileged-user", ProviderErrorKind.InvalidRequest), (refused.ProviderCode, refused.Kind));
        Assert.Empty(await slurm.JobsOfAsync(request.AllocationId));
    }

    [Fact]
    public async Task A_token_of_an_unprivileged_user_cannot_submit_for_another_user()
    {
        var (exitCode, output) = await fixture.RunScriptAsync("scontrol", "token", $"username={SlurmServer.TeamUserB}", "lifespan=600");
        Assert.Equal(0, exitCode);
        var token = output.Split('\n').Single(l => l.StartsWith("SLURM_JWT=", StringComparison.Ordinal))["SLURM_JWT=".Length..].Trim();
        using var teamB = new SlurmTestCluster(fixture, token, userName: SlurmServer.TeamUserB);
        using var broker = new SlurmTestCluster(fixture);
        var request = Request(SlurmServer.TeamUserA, "id");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => teamB.Cluster.SubmitAsync(request, None));

        Assert.Contains($"for user '{SlurmServer.TeamUserA}'", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await broker.JobsOfAsync(request.AllocationId));
        var own = await teamB.Cluster.GetInventoryAsync(None);
        Assert.True(own.Available, "the same token still works for its own user: " + own.UnavailableReason);
    }
}
