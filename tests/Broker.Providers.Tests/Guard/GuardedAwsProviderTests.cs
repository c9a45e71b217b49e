using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Tests.Aws;
using Broker.Providers.Tests.Aws.Fake;

namespace Broker.Providers.Tests.Guard;

/// <summary>Cloud-agnostic guard behaviour, shown with the real AWS SDK and adapter against the loopback EC2 fake.</summary>
public sealed class GuardedAwsProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(3);
    private static readonly GuardOptions Retries = new(MaxAttempts: 4, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromSeconds(30));
    private readonly StepClock clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ProviderHealth health;
    private AwsRig rig = null!;
    private GuardedComputeProvider guard = null!;

    public GuardedAwsProviderTests() => health = new ProviderHealth(clock);

    public async Task InitializeAsync()
    {
        rig = await AwsRig.StartAsync(clock);
        guard = new GuardedComputeProvider(rig.Provider, new UnavailableOfferCache(clock, Ttl), health, clock, Retries);
    }

    public async Task DisposeAsync() => await rig.DisposeAsync();

    private int RunInstancesCalls => rig.Fake.CallsTo("RunInstances").Count;

    [Fact]
    public async Task Capacity_error_blocks_the_offer_and_the_next_call_is_not_sent_until_the_ttl_passes()
    {
        rig.Fake.Faults.Inject("RunInstances", "InsufficientInstanceCapacity", instanceType: AwsRig.GpuType);

        var first = await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(AwsRig.Request(), CancellationToken.None));
        Assert.Equal((ProviderErrorKind.Capacity, "InsufficientInstanceCapacity"), (first.Kind, first.ProviderCode));
        Assert.Equal(1, RunInstancesCalls);

        var blocked = await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(AwsRig.Request(), CancellationToken.None));
        Assert.Equal("OfferBlocked", blocked.ProviderCode);
        Assert.Equal(1, RunInstancesCalls);

        await guard.CreateAsync(AwsRig.Request(instanceType: "g6.xlarge"), CancellationToken.None);
        Assert.Equal(2, RunInstancesCalls);

        clock.Advance(Ttl - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(AwsRig.Request(), CancellationToken.None));
        Assert.Equal(2, RunInstancesCalls);

        rig.Fake.Faults.Clear();
        clock.Advance(TimeSpan.FromSeconds(2));
        var launched = await guard.CreateAsync(AwsRig.Request(), CancellationToken.None);
        Assert.Equal(AwsRig.GpuType, launched.InstanceType);
        Assert.Equal(3, RunInstancesCalls);
    }

    [Fact]
    public async Task Region_scoped_capacity_error_blocks_every_offer_in_the_region_but_not_other_regions()
    {
        rig.Fake.Faults.Inject("RunInstances", "VcpuLimitExceeded", region: AwsRig.Region);
        await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(AwsRig.Request(), CancellationToken.None));

        var sameRegion = await Assert.ThrowsAsync<ProviderException>(() =>
            guard.CreateAsync(AwsRig.Request(instanceType: "g6.xlarge", zone: "us-east-1b"), CancellationToken.None));
        var otherRegion = await guard.CreateAsync(AwsRig.Request(region: AwsRig.OtherRegion, zone: "us-west-2a"), CancellationToken.None);

        Assert.Equal("OfferBlocked", sameRegion.ProviderCode);
        Assert.Equal(AwsRig.OtherRegion, otherRegion.Region);
        Assert.Equal([AwsRig.Region, AwsRig.OtherRegion], rig.Fake.CallsTo("RunInstances").Select(c => c.Region));
    }

    [Fact]
    public async Task Throttling_is_retried_by_the_guard_alone_until_it_succeeds()
    {
        rig.Fake.Faults.Inject("RunInstances", "RequestLimitExceeded", times: 2);
        var request = AwsRig.Request();

        var create = guard.CreateAsync(request, CancellationToken.None);
        await clock.AdvanceOnceWaitingAsync(Retries.MaxDelay);
        await clock.AdvanceOnceWaitingAsync(Retries.MaxDelay);
        var instance = await create;

        var calls = rig.Fake.CallsTo("RunInstances");
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal(("attempt=1; max=1", request.AllocationId.ToString()), (c.SdkAttempt, c["ClientToken"])));
        Assert.Equal(Assert.Single(rig.Fake.Cloud.Instances).InstanceId, instance.InstanceId);
        Assert.Equal(2, clock.TimersCreated);
        Assert.True(Assert.Single(health.Snapshot()).Healthy);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_attempts_surfaces_as_throttled_after_exactly_max_attempts_calls()
    {
        rig.Fake.Faults.Inject("RunInstances", "RequestLimitExceeded");

        var create = guard.CreateAsync(AwsRig.Request(), CancellationToken.None);
        for (var wait = 1; wait < Retries.MaxAttempts; wait++)
        {
            await clock.AdvanceOnceWaitingAsync(Retries.MaxDelay);
        }
        var error = await Assert.ThrowsAsync<ProviderException>(() => create);

        Assert.Equal(ProviderErrorKind.Throttled, error.Kind);
        Assert.Equal(Retries.MaxAttempts, RunInstancesCalls);
        Assert.Empty(rig.Fake.Cloud.Instances);
    }

    [Fact]
    public async Task Credential_error_is_not_retried_and_marks_the_provider_unhealthy_until_a_call_succeeds()
    {
        rig.Fake.Faults.Inject("RunInstances", "AuthFailure", message: "AWS was not able to validate the provided access credentials");

        var error = await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Auth, error.Kind);
        Assert.Equal(1, RunInstancesCalls);
        Assert.Equal(0, clock.TimersCreated);
        var status = Assert.Single(health.Snapshot());
        Assert.Equal(("aws", false, "AuthFailure"), (status.Provider, status.Healthy, status.LastErrorCode));
        Assert.DoesNotContain(AwsRig.SecretKey, status.LastErrorMessage, StringComparison.Ordinal);

        rig.Fake.Faults.Clear();
        await guard.ListManagedAsync(CancellationToken.None);
        Assert.True(Assert.Single(health.Snapshot()).Healthy);
    }

    [Fact]
    public async Task Lost_create_answer_is_not_retried_in_place_and_a_later_retry_returns_the_one_instance()
    {
        rig.Fake.Faults.LoseResponse("RunInstances", LostResponse.AbortConnection);
        var request = AwsRig.Request(market: CapacityType.Spot);

        var error = await Assert.ThrowsAsync<ProviderException>(() => guard.CreateAsync(request, CancellationToken.None));
        Assert.Equal(ProviderErrorKind.Transient, error.Kind);
        Assert.Equal(1, RunInstancesCalls);

        var instance = await guard.CreateAsync(request, CancellationToken.None);

        Assert.Equal(Assert.Single(rig.Fake.Cloud.Instances).InstanceId, instance.InstanceId);
        Assert.Equal(2, RunInstancesCalls);
    }

    [Fact]
    public async Task Terminate_of_unknown_instance_succeeds_through_the_guard()
    {
        await guard.TerminateAsync(AwsRig.Region, null, "i-00000000000000bad", CancellationToken.None);

        Assert.Single(rig.Fake.CallsTo("TerminateInstances"));
        Assert.True(Assert.Single(health.Snapshot()).Healthy);
    }

    [Fact]
    public async Task Throttled_listing_is_retried_and_returns_the_managed_instances()
    {
        var created = await guard.CreateAsync(AwsRig.Request(), CancellationToken.None);
        rig.Fake.Faults.Inject("DescribeInstances", "RequestLimitExceeded", times: 1);

        var listing = guard.ListManagedAsync(CancellationToken.None);
        await clock.AdvanceOnceWaitingAsync(Retries.MaxDelay);

        Assert.Equal(created.InstanceId, Assert.Single(await listing).InstanceId);
    }
}
