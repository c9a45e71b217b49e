using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Fleet;

public sealed class AllocationListTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task A_jobs_allocations_list_every_state_with_the_error_each_ended_with()
    {
        var job = await app.SubmitAsync("alloc-team");
        var refused = await FleetRows.AddAsync(app, "alloc-team", AllocationState.Closed, end: AllocationEnd.LaunchFailed,
            endReason: "Launch failed (InvalidParameterValue)", age: TimeSpan.FromMinutes(30), job: job);
        var vanished = await FleetRows.AddAsync(app, "alloc-team", AllocationState.Closed, end: AllocationEnd.Vanished,
            endReason: "The instance vanished", age: TimeSpan.FromMinutes(20), job: job);
        var terminated = await FleetRows.AddAsync(app, "alloc-team", AllocationState.Closed, end: AllocationEnd.Terminated,
            endReason: "Terminated by ops", age: TimeSpan.FromMinutes(15), job: job);
        var live = await FleetRows.AddAsync(app, "alloc-team", AllocationState.Running, market: CapacityType.OnPrem,
            age: TimeSpan.FromMinutes(10), job: job);
        await FleetRows.AddAsync(app, "alloc-other", AllocationState.Running);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var page = await FleetRows.GetAsync(ops, $"/v1/allocations?jobId={job.Id}");
        Assert.Equal([live.Id.ToString(), terminated.Id.ToString(), vanished.Id.ToString(), refused.Id.ToString()], FleetRows.Ids(page));
        Assert.Equal("Launch failed (InvalidParameterValue)", FleetRows.Item(page, refused.Id).Str("lastError"));
        Assert.Equal("launchfailed", FleetRows.Item(page, refused.Id).Str("end"));
        Assert.Equal("The instance vanished", FleetRows.Item(page, vanished.Id).Str("lastError"));
        Assert.Null(FleetRows.Item(page, terminated.Id)["lastError"]);
        Assert.Equal("Terminated by ops", FleetRows.Item(page, terminated.Id).Str("endReason"));
        var onPrem = FleetRows.Item(page, live.Id);
        Assert.Equal(("slurm", "onprem", "gpu-h100-1", "alloc-team", "running"),
            (onPrem.Str("provider"), onPrem.Str("market"), onPrem.Str("node"), onPrem.Str("team"), onPrem.Str("state")));

        var running = await FleetRows.GetAsync(ops, $"/v1/allocations?jobId={job.Id}&state=running,provisioning");
        Assert.Equal([live.Id.ToString()], FleetRows.Ids(running));
        var closedPage = await FleetRows.GetAsync(ops, $"/v1/allocations?jobId={job.Id}&state=closed&limit=2");
        Assert.Equal([terminated.Id.ToString(), vanished.Id.ToString()], FleetRows.Ids(closedPage));
        var rest = await FleetRows.GetAsync(ops, $"/v1/allocations?jobId={job.Id}&state=closed&limit=2&cursor={closedPage.Str("nextCursor")}");
        Assert.Equal([refused.Id.ToString()], FleetRows.Ids(rest));
        Assert.Null(rest["nextCursor"]);
    }
}
