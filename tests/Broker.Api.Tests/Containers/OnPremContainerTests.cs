using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Containers;

/// <summary>
/// Issue 16: a job's image runs on-prem under rootless runc as the team's user, on the real local Slurm cluster, and what
/// it prints is read back through <c>GET /v1/jobs/{id}/logs</c>; a missing image fails with its reason; a simulated cloud
/// segment's logs are still there after its instance is gone.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class OnPremContainerTests(ContainerSite app) : IClassFixture<ContainerSite>
{
    private sealed record Ended(string Id, string State, Allocation Segment, JsonObject Job);

    private async Task<Ended> RunAsync(HttpClient client, string[] command, string image, string[] models, int gpus = 1)
    {
        app.CallBackOnRealPort();
        var body = FaultJobs.Body($"container-{Guid.NewGuid():N}", models, command);
        body["gpu"]!["count"] = gpus;
        body["image"] = image;
        var id = (await JobApi.SubmitAsync(client, body)).Id();
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return await db.Allocations.AsNoTracking().AnyAsync(a => a.JobId == Guid.Parse(id) && a.State == AllocationState.Closed);
        }, "the job's segment to close", seconds: 120);
        await using var read = app.NewDbContext();
        var segment = await read.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(id));
        var job = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!;
        return new Ended(id, job.Str("state"), segment, job);
    }

    private static async Task<(List<string> Stdout, List<string> Stderr, JsonObject Page)> LogsAsync(HttpClient client, string id)
    {
        var page = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}/logs"))!;
        var lines = page["lines"]!.AsArray().Select(l => (Stream: l!.Str("stream"), Text: l!.Str("text"))).ToList();
        return ([.. lines.Where(l => l.Stream == "stdout").Select(l => l.Text)], [.. lines.Where(l => l.Stream == "stderr").Select(l => l.Text)], page);
    }

    [Fact]
    public async Task A_busybox_image_runs_under_runc_on_the_cluster_as_the_teams_user_and_its_output_is_read_through_the_logs_api()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", ContainerSite.Team));
        string[] hostile = ["it's", "$(id)", "a  b", "-e"];

        var run = await RunAsync(client,
            ["sh", "-c", "cat /etc/broker-marker; echo \"pid1=$(tr '\\0' ' ' </proc/1/cmdline)\"; id -u; "
                + "for w in \"$@\"; do echo \"[$w]\"; done; echo to-stderr >&2", "job", .. hostile],
            ContainerSite.Image, ["L4"]);

        Assert.Equal("succeeded", run.State);
        Assert.True(run.Segment.IsOnPrem, "the job should have run on-prem");
        await app.StepUntilAsync(async () => (await LogsAsync(client, run.Id)).Stderr.Count > 0, "the last chunks", seconds: 30);
        var (stdout, stderr, page) = await LogsAsync(client, run.Id);
        Assert.Equal(ContainerSite.Marker, stdout[0]);
        Assert.StartsWith("pid1=sh -c cat /etc/broker-marker", stdout[1], StringComparison.Ordinal);
        Assert.Equal("0", stdout[2]);
        Assert.Equal(hostile.Select(w => $"[{w}]"), stdout[3..]);
        Assert.Equal(["to-stderr"], stderr);
        Assert.Equal(run.Segment.Id.ToString(), page.Str("segment"));
        Assert.True(page["ended"]!.GetValue<bool>());
        // Outside the container the same user cannot see a file that only the image has.
        Assert.False(File.Exists("/etc/broker-marker"));
    }

    [Fact]
    public async Task A_two_gpu_container_job_sees_its_nodes_gpu_devices_and_the_gpus_slurm_gave_it()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", ContainerSite.Team));

        var run = await RunAsync(client,
            ["sh", "-c", "for d in /dev/*; do echo \"dev=${d#/dev/}\"; done; echo \"gpus=$SLURM_GPUS_ON_NODE\"; echo done >&2"],
            ContainerSite.Image, ["L4"], gpus: 2);

        Assert.Equal("succeeded", run.State);
        Assert.True(run.Segment.IsOnPrem, "the job should have run on-prem");
        await app.StepUntilAsync(async () => (await LogsAsync(client, run.Id)).Stderr.Count > 0, "the last chunks", seconds: 30);
        var (stdout, _, _) = await LogsAsync(client, run.Id);
        // The fake device files slurm.sh made for this node and named in gres.conf.
        var nodeDevices = Directory.GetFiles(Path.Combine(SlurmServer.Directory, "dev", run.Segment.Node!)).Select(f => Path.GetFileName(f)!).Order().ToList();
        Assert.True(nodeDevices.Count >= 2, $"node {run.Segment.Node} should have GPU device files");
        Assert.Equal(nodeDevices, stdout.Where(l => l.StartsWith("dev=nvidia", StringComparison.Ordinal)).Select(l => l[4..]).Order().ToList());
        // This cluster's fake device files get no CUDA_VISIBLE_DEVICES from Slurm (checked with sbatch --gres=gpu:2: only
        // SLURM_GPUS_ON_NODE); what Slurm does set reaches the container. CUDA_VISIBLE_DEVICES: OnPremContainerRunSectionTests.
        Assert.Equal("gpus=2", stdout.Single(l => l.StartsWith("gpus=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_16_gpu_gang_with_an_image_runs_its_container_on_both_member_nodes_with_each_nodes_devices()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", ContainerSite.Team));

        var run = await RunAsync(client,
            ["sh", "-c", "cat /etc/broker-marker; echo \"member gpus=$SLURM_GPUS_ON_NODE devices=$(ls /dev | grep -c '^nvidia[0-9]')\"; echo done >&2"],
            ContainerSite.Image, ["H100-80GB"], gpus: 16);

        Assert.Equal("succeeded", run.State);
        Assert.Equal(["gpu-h100-1", "gpu-h100-2"], run.Segment.MemberNodes!);
        await app.StepUntilAsync(async () => (await LogsAsync(client, run.Id)).Stderr.Count >= 2, "both members' last chunks", seconds: 30);
        var (stdout, stderr, _) = await LogsAsync(client, run.Id);
        // One container per member node: each read the image's own file and saw its node's 8 GPUs.
        Assert.Equal(2, stdout.Count(l => l == ContainerSite.Marker));
        Assert.Equal(["member gpus=8 devices=8", "member gpus=8 devices=8"], stdout.Where(l => l.StartsWith("member", StringComparison.Ordinal)));
        Assert.Equal(["done", "done"], stderr);
    }

    [Fact]
    public async Task An_image_missing_from_the_site_store_fails_with_that_reason_in_the_timeline()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", ContainerSite.Team));

        var run = await RunAsync(client, ["true"], "ghcr.io/acme/not-in-store:2.0", ["L4"]);

        Assert.Equal("failed", run.State);
        const string Reason = "image 'ghcr.io/acme/not-in-store:2.0' is not in the site image store";
        var failed = run.Job["timeline"]!.AsArray().Last()!;
        Assert.Equal("failed", failed.Str("kind"));
        Assert.Contains("exit code 125", failed.Str("message"), StringComparison.Ordinal);
        Assert.Contains(Reason, failed.Str("message"), StringComparison.Ordinal);
        Assert.Equal($"exit code 125: {Reason}", run.Segment.EndReason);
        var (_, stderr, _) = await LogsAsync(client, run.Id);
        Assert.Contains($"broker: {Reason}", stderr);
    }

    [Fact]
    public async Task Logs_of_a_simulated_cloud_segment_are_read_after_its_instance_was_terminated()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "cloud-only"));

        var run = await RunAsync(client, ["python", "train.py"], "ghcr.io/acme/train:1.4", ["L4"]);

        Assert.Equal("succeeded", run.State);
        Assert.False(run.Segment.IsOnPrem);
        var listed = await app.WithScopeAsync(s => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<ComputeProviders>(s).Get(run.Segment.Provider).ListManagedAsync(default));
        Assert.DoesNotContain(listed, i => i.AllocationId == run.Segment.Id);
        var (stdout, _, page) = await LogsAsync(client, run.Id);
        Assert.Equal([$"simulated {run.Segment.Provider} instance {run.Segment.ExternalId} ({run.Segment.InstanceType}, on-demand) running job {run.Id}",
            "job exited with code 0"], stdout);
        Assert.True(page["ended"]!.GetValue<bool>());
    }
}
