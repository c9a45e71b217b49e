using System.Net;
using System.Net.Http.Json;
using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Fleet;

public sealed class InstanceListTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task The_list_shows_live_cloud_instances_by_default_and_filters_by_provider_region_market_state_and_team()
    {
        var spot = await FleetRows.AddAsync(app, "fleet-a", AllocationState.Running, "aws", "us-east-1", CapacityType.Spot);
        var booting = await FleetRows.AddAsync(app, "fleet-a", AllocationState.Provisioning, "gcp", "us-central1", CapacityType.OnDemand);
        var closed = await FleetRows.AddAsync(app, "fleet-a", AllocationState.Closed, "aws", "us-east-1", CapacityType.OnDemand,
            end: AllocationEnd.Completed, endReason: "exit code 0");
        await FleetRows.AddAsync(app, "fleet-a", AllocationState.Running, market: CapacityType.OnPrem);
        var other = await FleetRows.AddAsync(app, "fleet-b", AllocationState.Running, "azure", "eastus", CapacityType.Spot);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        async Task<List<string>> Ids(string query) => FleetRows.Ids(await FleetRows.GetAsync(ops, "/v1/instances?" + query)).Order().ToList();
        List<string> Of(params Allocation[] rows) => [.. rows.Select(r => r.Id.ToString()).Order()];

        Assert.Equal(Of(spot, booting), await Ids("team=fleet-a"));
        Assert.Equal(Of(spot, booting, closed), await Ids("team=fleet-a&state=all"));
        Assert.Equal(Of(closed), await Ids("team=fleet-a&state=closed"));
        Assert.Equal(Of(spot), await Ids("team=fleet-a&provider=aws"));
        Assert.Equal(Of(booting), await Ids("team=fleet-a&market=ondemand"));
        Assert.Equal(Of(booting), await Ids("team=fleet-a&region=us-central1"));
        Assert.Equal(Of(spot, other), await Ids("team=fleet-a,fleet-b&market=spot"));
        Assert.Equal(Of(other), await Ids("team=fleet-b&state=running&provider=azure&region=eastus"));

        var item = FleetRows.Item(await FleetRows.GetAsync(ops, "/v1/instances?team=fleet-a"), spot.Id);
        Assert.Equal(("aws", "us-east-1", "us-east-1a", "p5.48xlarge", "spot", "running", "fleet-a"),
            (item.Str("provider"), item.Str("region"), item.Str("zone"), item.Str("instanceType"), item.Str("market"), item.Str("state"),
                item.Str("team")));
        Assert.Equal(spot.JobId.ToString(), item.Str("jobId"));
        Assert.Equal(spot.ExternalId, item.Str("externalId"));
        Assert.InRange(item["ageSeconds"]!.GetValue<long>(), 3590, 3700);
    }

    [Fact]
    public async Task Keyset_pages_walk_every_instance_once_newest_first()
    {
        var rows = new List<Allocation>();
        for (var i = 0; i < 5; i++)
        {
            rows.Add(await FleetRows.AddAsync(app, "fleet-paged", AllocationState.Running, age: TimeSpan.FromMinutes(10 + i)));
        }
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await FleetRows.GetAsync(ops, "/v1/instances?team=fleet-paged&limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(FleetRows.Ids(page).Count <= 2);
            seen.AddRange(FleetRows.Ids(page));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(rows.Select(r => r.Id.ToString()), seen);
    }

    [Fact]
    public async Task Cost_so_far_is_the_live_tail_until_the_ledger_prices_the_instance_then_the_ledger_with_its_corrections()
    {
        var job = await app.SubmitAsync("fleet-cost");
        var now = DateTimeOffset.UtcNow;
        var closed = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, UtcDays.YesterdayAtTen(now), UtcDays.YesterdayAtTen(now).AddHours(1),
            instanceType: "p5.48xlarge", region: "us-east-1");
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        async Task<decimal> CostAsync(Guid id) =>
            FleetRows.Item(await FleetRows.GetAsync(finance, "/v1/instances?team=fleet-cost&state=all"), id)["costSoFar"]!.GetValue<decimal>();
        async Task<decimal> JobCostAsync(Guid jobId) =>
            (await ops.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/v1/jobs/{jobId}"))!["cost"]!["soFarUsd"]!.GetValue<decimal>();

        var unpriced = await CostAsync(closed.Id);
        Assert.True(unpriced > 0);
        Assert.Equal(await JobCostAsync(job.Id), unpriced);
        Assert.Equal(Broker.Core.Costs.RecordOutcome.Recorded, await app.RecordAsync(closed.Id));
        Assert.Equal(unpriced, await CostAsync(closed.Id));
        var entry = Assert.Single(await app.EntriesAsync(closed.Id));
        (await finance.PostAsJsonAsync($"/v1/costs/entries/{entry.Id}/corrections", new { costUsd = 30, reason = "credit" })).EnsureSuccessStatusCode();
        Assert.Equal(30m, await CostAsync(closed.Id));

        var running = await FleetRows.AddAsync(app, "fleet-cost", AllocationState.Running, market: CapacityType.OnDemand, age: TimeSpan.FromHours(2));
        var first = await CostAsync(running.Id);
        var viaJob = await JobCostAsync(running.JobId);
        var later = await CostAsync(running.Id);
        Assert.True(first > 0, "a running instance has cost something after two hours");
        Assert.True(first <= viaJob && viaJob <= later, $"the instance's {first}..{later} and its job's {viaJob} disagree");
    }

    [Theory]
    [InlineData("/v1/instances?provider=nope", "provider")]
    [InlineData("/v1/instances?market=onprem", "market")]
    [InlineData("/v1/instances?market=reserved", "market")]
    [InlineData("/v1/instances?state=sleeping", "state")]
    [InlineData("/v1/instances?state=1", "state")]
    [InlineData("/v1/instances?team=Bad_Team", "team")]
    [InlineData("/v1/instances?region=US%20East", "region")]
    [InlineData("/v1/instances?cursor=not-a-cursor", "cursor")]
    [InlineData("/v1/instances?limit=0", "limit")]
    [InlineData("/v1/allocations?jobId=abc", "jobId")]
    [InlineData("/v1/allocations?state=running,bogus", "state")]
    [InlineData("/v1/allocations?provider=ibm", "provider")]
    public async Task A_bad_filter_value_is_refused_with_400_naming_the_parameter(string path, string parameter)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var response = await ops.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(parameter, out _), $"no error for {parameter}");
    }

    [Theory]
    [InlineData("submitter", "fleet-a", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("finance", null, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("ops", null, HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task Ops_read_the_fleet_and_finance_only_the_instances(string role, string? team, HttpStatusCode instances,
        HttpStatusCode allocations)
    {
        using var caller = app.ClientWithKey(await app.CreateKeyAsync(role, team));
        Assert.Equal(instances, (await caller.GetAsync("/v1/instances")).StatusCode);
        Assert.Equal(allocations, (await caller.GetAsync("/v1/allocations")).StatusCode);
    }

}
