using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Costs;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>On-prem gangs (ADR 0012) on the real local cluster: two 8-GPU H100 nodes, one Slurm job over both.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class GangTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject Body(string name, int gpus, string[] command, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        if (gpus > 8)
        {
            // These gangs are on-prem's: below any H100 instance's price, a cloud gang (ADR 0012) cannot take them while a node is busy.
            body["maxPricePerGpuHour"] = 2;
        }
        return body;
    }

    [Fact]
    public async Task A_16_gpu_job_runs_as_one_slurm_job_over_both_8_gpu_nodes_once_per_node_and_completes()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gang"));
        var job = await JobApi.SubmitAsync(client, Body("gang-16", 16, ["bash", "-c", "echo \"member $SLURMD_NODENAME of $SLURM_NNODES\"; sleep 2"], 5));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") == "succeeded", "the gang to finish");

        var done = await JobApi.GetAsync(client, job.Id());
        Assert.Equal(["submitted", "placed", "starting", "started", "finished"], done["timeline"]!.AsArray().Select(e => e!.Str("kind")));
        Assert.Contains("gang of 2 nodes gpu-h100-1, gpu-h100-2 (8 GPUs each)", done["timeline"]![1]!.Str("message"), StringComparison.Ordinal);
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        Assert.Equal((16, AllocationEnd.Completed), (segment.Gpus, segment.End!.Value));
        Assert.Equal(["gpu-h100-1", "gpu-h100-2"], segment.MemberNodes!);
        var shown = done["segments"]!.AsArray().Single()!;
        Assert.Equal(["gpu-h100-1", "gpu-h100-2"], shown["memberNodes"]!.AsArray().Select(n => n!.GetValue<string>()));
        // The job succeeds when Slurm reports it; its segment is priced once released, a step or two later, or by the
        // ledger's sweep (RecordCostsJob, not run by this test host) when Slurm still held the record at the release. The
        // command sleeps: Slurm's times are whole seconds, and a run within one second has no usage to price.
        await app.StepUntilAsync(async () =>
        {
            await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordAsync(segment.Id, default));
            await using var check = app.NewDbContext();
            return await check.CostEntries.AnyAsync(e => e.AllocationId == segment.Id && e.Kind == CostEntryKind.Usage);
        }, "the gang's ledger entry");
        var entries = await db.CostEntries.AsNoTracking().Where(e => e.AllocationId == segment.Id && e.Kind == CostEntryKind.Usage).ToListAsync();
        Assert.All(entries, e => Assert.Equal((16, "gpu-h100-1,gpu-h100-2"), (e.GpuCount, string.Join(',', e.MemberNodes!))));

        // Slurm's own record: one job, both nodes, 8 GPUs on each, and the command ran once on every member.
        var slurmJob = await SlurmJobAsync(segment.ExternalId!);
        Assert.Equal("gpu-h100-[1-2]", slurmJob.Str("nodes"));
        Assert.Equal("COMPLETED", slurmJob.Str("job_state"));
        var output = await File.ReadAllLinesAsync(Path.Combine(SlurmServer.OutputRoot, SlurmServer.TeamUserA, segment.Id.ToString("D"), "output.log"));
        Assert.Equal(["member gpu-h100-1 of 2", "member gpu-h100-2 of 2"], output.Where(l => l.StartsWith("member ", StringComparison.Ordinal)).Order());
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_gang_waiting_for_a_busy_gpu_is_not_starved_by_a_stream_of_1_gpu_jobs()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gang"));
        // One GPU of gpu-h100-1 is busy for a few seconds (expected: 2 minutes); the gang needs all 16.
        var blocker = await JobApi.SubmitAsync(client, Body("gang-blocker", 1, ["sleep", "4"], 2));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, blocker.Id())).Str("state") is "starting" or "running", "the blocker to start");
        var gang = await JobApi.SubmitAsync(client, Body("gang-reserved", 16, ["sleep", "1"], 5));
        var stream = new List<string>();

        // Every step a new 1-GPU job arrives: 15 GPUs sit idle, but each would run past the gang's planned start.
        await app.StepUntilAsync(async () =>
        {
            if (stream.Count < 12)
            {
                stream.Add((await JobApi.SubmitAsync(client, Body($"gang-stream-{stream.Count}", 1, ["sleep", "1"], 60))).Id());
            }
            return (await JobApi.GetAsync(client, gang.Id())).Str("state") == "succeeded";
        }, "the reserved gang to run", seconds: 120);

        await using var db = app.NewDbContext();
        var gangSegment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(gang.Id()));
        var streamIds = stream.Select(Guid.Parse).ToList();
        // Backfill may use the idle GPUs only with jobs that end before the gang starts (the runtime model learns that these
        // "sleep 1" jobs are short); none may still hold a GPU when the gang should start. Slurm's times are whole seconds.
        var onPremBeforeGang = await db.Allocations.AsNoTracking()
            .Where(a => streamIds.Contains(a.JobId) && a.Market == Broker.Core.Capacity.CapacityType.OnPrem && a.CreatedAt < gangSegment.StartedAt)
            .Select(a => new { a.Node, a.EndedAt }).ToListAsync();
        Assert.All(onPremBeforeGang, a => Assert.True(a.EndedAt is { } ended && ended <= gangSegment.StartedAt!.Value.AddSeconds(1),
            $"a stream job on {a.Node} still ran ({a.EndedAt}) when the gang started ({gangSegment.StartedAt})"));
        Assert.True(stream.Count >= 2, "the stream kept arriving while the gang waited");
        foreach (var id in stream)
        {
            (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).Dispose();
        }
        await app.StepUntilAsync(async () =>
        {
            await using var check = app.NewDbContext();
            return !await check.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "the stream's segments to close");
        await Invariants.CheckAsync(app);
    }

    private static async Task<JsonObject> SlurmJobAsync(string slurmJobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = (await http.GetFromJsonAsync<JsonObject>($"/slurm/v0.0.38/job/{slurmJobId}"))!;
        return response["jobs"]!.AsArray().Single()!.AsObject();
    }
}
