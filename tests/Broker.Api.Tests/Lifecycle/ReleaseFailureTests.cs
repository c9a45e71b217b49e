using Broker.Api.Tests.Fleet;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>Two clouds that answer listings with nothing: <c>aws</c> refuses to terminate (throttled) until told otherwise.</summary>
public sealed class ReleaseFailureApp : TerminationCloudApp
{
    public ReleaseFailureApp() => Aws.Throttled = true;

    protected override IEnumerable<TerminationCloud> OtherClouds => [new TerminationCloud("azure")];
}

public sealed class ReleaseFailureTests(ReleaseFailureApp app) : IClassFixture<ReleaseFailureApp>
{
    [Fact]
    public async Task A_cloud_that_refuses_to_terminate_leaves_its_segment_releasing_without_stopping_the_round_for_the_others()
    {
        var throttled = await FleetRows.AddAsync(app, "release-fail", AllocationState.Releasing, provider: "aws", market: CapacityType.OnDemand);
        var fine = await FleetRows.AddAsync(app, "release-fail", AllocationState.Releasing, provider: "azure", region: "eastus",
            market: CapacityType.OnDemand);

        var first = await ReconcileAsync();
        var afterFirst = await StatesAsync(throttled.Id, fine.Id);
        app.Aws.Throttled = false;
        var second = await ReconcileAsync();
        var afterSecond = await StatesAsync(throttled.Id, fine.Id);

        Assert.Equal((AllocationState.Releasing, AllocationState.Closed), afterFirst);
        Assert.Equal(1, first.Released);
        Assert.Equal((AllocationState.Closed, AllocationState.Closed), afterSecond);
        Assert.Equal(1, second.Released);
        Assert.True(app.Aws.Terminations >= 2, $"aws saw {app.Aws.Terminations} terminations");
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.ReconcileAsync();

    private async Task<(AllocationState, AllocationState)> StatesAsync(Guid a, Guid b)
    {
        var states = await app.StatesAsync(a, b);
        return (states[a], states[b]);
    }
}
