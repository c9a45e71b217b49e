using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Costs;

/// <summary>The cost a job's own response shows, on the real Slurm cluster and the simulated clouds.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class JobCostTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject Body(string name, string model, string[] command, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray(model) };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task A_finished_cloud_job_shows_its_ledger_cost_on_demand_equivalent_and_estimate_at_placement()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "costed"));
        var job = await JobApi.SubmitAsync(client, Body("cost-cloud", "A10G", ["python", "train.py"], 30));
        var id = Guid.Parse(job.Id());

        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return await db.CostRecordings.AnyAsync(r => db.Allocations.Any(a => a.Id == r.AllocationId && a.JobId == id));
        }, "the cloud job to finish and be priced");

        var cost = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!["cost"]!;
        await using var check = app.NewDbContext();
        var entries = await check.CostEntries.AsNoTracking().Where(e => e.JobId == id).ToListAsync();
        var reservation = await check.CostReservations.AsNoTracking().SingleAsync(r => r.JobId == id);
        Assert.NotEmpty(entries);
        Assert.Equal(entries.Sum(e => e.Cost), cost["soFarUsd"]!.GetValue<decimal>());
        Assert.Equal(entries.Sum(e => e.OnDemandCost), cost["onDemandEquivalentUsd"]!.GetValue<decimal>());
        Assert.Equal(reservation.ExpectedCost, cost["estimateAtPlacementUsd"]!.GetValue<decimal>());
        Assert.True(reservation.ExpectedCost > 0);
        Assert.Equal(entries.Sum(e => e.Cost), reservation.ActualCost);
        Assert.True(cost["final"]!.GetValue<bool>());
        Assert.Equal(entries.Count, cost["entries"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_running_job_shows_what_it_has_accrued_so_far()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        var job = await JobApi.SubmitAsync(client, Body("cost-running", "L4", ["sleep", "600"], 60));
        await app.StepUntilAsync(async () => (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!.Str("state") == "running",
            "the job to run");
        await Task.Delay(1500);

        var first = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!["cost"]!;
        await Task.Delay(1000);
        var later = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!["cost"]!;

        Assert.False(first["final"]!.GetValue<bool>());
        Assert.Equal(0, first["entries"]!.GetValue<int>());
        Assert.True(first["soFarUsd"]!.GetValue<decimal>() > 0);
        Assert.True(later["soFarUsd"]!.GetValue<decimal>() > first["soFarUsd"]!.GetValue<decimal>());
        Assert.Equal(1.2m * 1, first["estimateAtPlacementUsd"]!.GetValue<decimal>());
        (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.JobId == Guid.Parse(job.Id()) && a.State != AllocationState.Closed);
        }, "the cancelled job's allocation to close");
    }
}
