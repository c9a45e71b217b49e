using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Costs;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Costs;

/// <summary>The ledger of a job that really ran on the local Slurm cluster, checked against Slurm's own job record.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class OnPremLedgerTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    [Fact]
    public async Task An_onprem_entry_has_slurms_own_start_and_end_times_and_is_priced_at_the_rate()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        var body = JobApi.ValidBody("ledger-onprem");
        body["gpu"] = new JsonObject { ["count"] = 2, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray("sleep", "3");
        body["estimatedDurationMinutes"] = 5;
        body.Remove("maxPricePerGpuHour");
        var job = await JobApi.SubmitAsync(client, body);
        var jobId = Guid.Parse(job.Id());

        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return await db.Allocations.AnyAsync(a => a.JobId == jobId && a.State == AllocationState.Closed)
                && await db.CostRecordings.AnyAsync(r => db.Allocations.Any(a => a.Id == r.AllocationId && a.JobId == jobId));
        }, "the Slurm job to finish and be priced");

        await using var check = app.NewDbContext();
        var allocation = await check.Allocations.AsNoTracking().SingleAsync(a => a.JobId == jobId);
        var entries = await check.CostEntries.AsNoTracking().Where(e => e.AllocationId == allocation.Id).OrderBy(e => e.Part).ToListAsync();
        var (slurmStart, slurmEnd) = await SlurmTimesAsync(allocation.ExternalId!);
        Assert.NotEmpty(entries);
        Assert.Equal(slurmStart, entries[0].StartedAt);
        Assert.Equal(slurmEnd, entries[^1].EndedAt);
        Assert.InRange((slurmEnd - slurmStart).TotalSeconds, 3, 30);
        Assert.All(entries, e => Assert.Equal("slurm", e.Note));
        var rate = 1.20m * 2;
        Assert.Equal(entries.Sum(e => Usd.ForSeconds(Usd.Seconds(e.EndedAt - e.StartedAt), rate)), entries.Sum(e => e.Cost));
        Assert.Equal(Usd.Round(Usd.Seconds(slurmEnd - slurmStart) * 2 / 3600m), entries.Sum(e => e.GpuHours));
    }

    /// <summary>Slurm's own record of the job, straight from slurmrestd.</summary>
    private static async Task<(DateTimeOffset Start, DateTimeOffset End)> SlurmTimesAsync(string slurmJobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        var record = await http.GetFromJsonAsync<JsonObject>($"/slurm/v0.0.38/job/{slurmJobId}");
        var slurmJob = record!["jobs"]!.AsArray().Single()!;
        return (DateTimeOffset.FromUnixTimeSeconds(slurmJob["start_time"]!.GetValue<long>()),
            DateTimeOffset.FromUnixTimeSeconds(slurmJob["end_time"]!.GetValue<long>()));
    }
}
