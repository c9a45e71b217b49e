using Broker.Api.Tests.Fleet;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>One cloud, <c>aws</c>, that lists what the test puts in it and refuses (throttled) to terminate the instances it names.</summary>
public sealed class OrphanSweepApp : TerminationCloudApp;

/// <summary>
/// The orphan sweep terminates only instances that no live allocation owns: a segment still <c>Releasing</c> owns its
/// instance (its release terminates it, and retries while the cloud refuses), so the sweep never terminates it a second time.
/// </summary>
public sealed class OrphanSweepTests(OrphanSweepApp app) : IClassFixture<OrphanSweepApp>
{
    [Fact]
    public async Task A_segment_left_releasing_keeps_its_instance_out_of_the_sweep_while_a_true_orphan_is_terminated()
    {
        var releasing = await FleetRows.AddAsync(app, "orphan-sweep", AllocationState.Releasing, market: CapacityType.OnDemand);
        app.Aws.Add(releasing.ExternalId!, releasing.Id);
        app.Aws.Refused[releasing.ExternalId!] = true;
        var orphan = $"i-orphan-{Guid.NewGuid():N}"[..19];
        app.Aws.Add(orphan, Guid.CreateVersion7());

        var round = await ReconcileAsync();

        Assert.Equal(AllocationState.Releasing, await StateAsync(releasing.Id));
        Assert.Equal(0, round.Released);
        Assert.Equal(1, round.OrphansTerminated);
        Assert.Equal(1, app.Aws.TerminationsOf(orphan));
        Assert.Equal(1, app.Aws.TerminationsOf(releasing.ExternalId!)); // the release's attempt only
    }

    [Fact]
    public async Task A_segment_released_in_the_round_has_its_instance_terminated_once()
    {
        var releasing = await FleetRows.AddAsync(app, "orphan-sweep", AllocationState.Releasing, market: CapacityType.OnDemand);
        app.Aws.Add(releasing.ExternalId!, releasing.Id);

        var round = await ReconcileAsync();

        Assert.Equal(AllocationState.Closed, await StateAsync(releasing.Id));
        Assert.Equal(1, round.Released);
        Assert.Equal(0, round.OrphansTerminated);
        Assert.Equal(1, app.Aws.TerminationsOf(releasing.ExternalId!));
    }

    [Fact]
    public async Task An_orphan_the_cloud_refuses_to_terminate_is_tried_again_next_round_without_ending_this_one()
    {
        var orphan = $"i-refused-{Guid.NewGuid():N}"[..19];
        app.Aws.Add(orphan, Guid.CreateVersion7());
        app.Aws.Refused[orphan] = true;

        var refused = await ReconcileAsync();
        app.Aws.Refused.TryRemove(orphan, out _);
        var next = await ReconcileAsync();

        Assert.Equal(0, refused.OrphansTerminated);
        Assert.Equal(1, next.OrphansTerminated);
        Assert.Equal(2, app.Aws.TerminationsOf(orphan));
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.ReconcileAsync();

    private async Task<AllocationState> StateAsync(Guid id) => (await app.StatesAsync(id))[id];
}
