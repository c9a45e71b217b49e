using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp.Auth;
using Broker.Providers.Tests.Gcp.Fake;

namespace Broker.Providers.Tests.Gcp;

/// <summary>The adapter behind <see cref="GuardedComputeProvider"/>, the only layer that retries.</summary>
public sealed class GcpGuardTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private static GuardedComputeProvider Guard(GcpRig rig, TimerSignallingClock clock, ProviderHealth health) =>
        new(rig.Provider, new UnavailableOfferCache(clock, TimeSpan.FromMinutes(5)), health, clock,
            new GuardOptions(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));

    [Fact]
    public async Task Throttled_then_successful_create_succeeds_after_backing_off_on_the_clock()
    {
        var clock = new TimerSignallingClock();
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.Sync("rateLimitExceeded", 403, times: 2));
        var health = new ProviderHealth(clock);
        var request = GcpRig.Request();

        var create = Guard(rig, clock, health).CreateAsync(request, CancellationToken.None);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await clock.TimerCreated.WaitAsync(Safety);
            Assert.Equal(attempt, rig.Inserts().Count); // the guard is waiting, not calling
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        var instance = await create.WaitAsync(Safety);

        Assert.Equal((request.AllocationId, InstanceState.Running), (instance.AllocationId, instance.State));
        Assert.Equal(3, rig.Inserts().Count);
        Assert.Single(rig.Fake.State.AllInstances());
        Assert.True(Assert.Single(health.Snapshot()).Healthy);
    }

    [Fact]
    public async Task Retry_after_sent_with_a_429_sets_the_backoff()
    {
        var clock = new TimerSignallingClock();
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.Sync("rateLimitExceeded", 429, times: 1, retryAfter: TimeSpan.FromSeconds(20)));

        var create = Guard(rig, clock, new ProviderHealth(clock)).CreateAsync(GcpRig.Request(), CancellationToken.None);
        await clock.TimerCreated.WaitAsync(Safety);
        clock.Advance(TimeSpan.FromSeconds(20));
        await create.WaitAsync(Safety);

        Assert.Equal(TimeSpan.FromSeconds(20), Assert.Single(clock.DueTimes));
    }

    [Fact]
    public async Task Unauthorized_create_is_not_retried_and_shows_the_provider_unhealthy()
    {
        var clock = new TimerSignallingClock();
        await using var rig = await GcpRig.StartAsync(new StaticAccessTokenProvider("expired-token"));
        var health = new ProviderHealth(clock);

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Guard(rig, clock, health).CreateAsync(GcpRig.Request(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Auth, error.Kind);
        Assert.Single(rig.Inserts());
        Assert.Empty(clock.DueTimes);
        var status = Assert.Single(health.Snapshot());
        Assert.Equal(("gcp", false, "authError"), (status.Provider, status.Healthy, status.LastErrorCode));
        Assert.DoesNotContain("expired-token", status.LastErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stock_out_blocks_the_offering_but_not_other_machine_types_in_the_zone()
    {
        var clock = new TimerSignallingClock();
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.InOperation("ZONE_RESOURCE_POOL_EXHAUSTED", 503));
        var guard = Guard(rig, clock, new ProviderHealth(clock));

        await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(GcpRig.Request(zone: "us-central1-a"), CancellationToken.None));
        var blocked = await Assert.ThrowsAsync<ProviderException>(() =>
            guard.CreateAsync(GcpRig.Request(zone: "us-central1-a"), CancellationToken.None));
        var other = await guard.CreateAsync(GcpRig.Request("g2-standard-8", zone: "us-central1-a"), CancellationToken.None);

        Assert.Equal("OfferBlocked", blocked.ProviderCode);
        Assert.Equal(2, rig.Inserts().Count);
        Assert.Equal(InstanceState.Running, other.State);
    }
}
