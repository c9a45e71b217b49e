using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Azure;

/// <summary>The Azure adapter under <see cref="GuardedComputeProvider"/>, the one layer that retries.</summary>
public sealed class AzureGuardTests
{
    private static readonly GuardOptions Guard = new(MaxAttempts: 4, BaseDelay: TimeSpan.FromMilliseconds(200), MaxDelay: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Throttled_create_is_retried_by_the_guard_after_retry_after_and_then_succeeds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var harness = await AzureFakeHarness.StartAsync(clock: clock);
        harness.Arm.FailPut(AzureFakeHarness.Size, 429, "TooManyRequests", "The request is being throttled.", retryAfter: "5", times: 1);
        var guarded = Guarded(harness.Provider, clock, out _);

        var create = guarded.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);
        for (var step = 0; step < 200 && !create.IsCompleted; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(create, Task.Delay(25));
        }
        var instance = await create;

        Assert.Equal(InstanceState.Running, instance.State);
        var puts = harness.Arm.CallsTo("PUT", "/virtualMachines/" + instance.InstanceId);
        Assert.Equal(2, puts.Count);
        Assert.True(puts[1].At - puts[0].At >= TimeSpan.FromSeconds(5), $"retried after {puts[1].At - puts[0].At}");
        Assert.Single(harness.Arm.VirtualMachines);
    }

    [Fact]
    public async Task Auth_error_is_not_retried_and_marks_the_provider_unhealthy()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await AzureFakeHarness.StartAsync(clock: clock);
        harness.Arm.FailPut(AzureFakeHarness.Size, 403, "AuthorizationFailed", "The client does not have authorization.");
        var guarded = Guarded(harness.Provider, clock, out var health);

        var error = await Assert.ThrowsAsync<ProviderException>(() => guarded.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Auth, error.Kind);
        Assert.Single(harness.Arm.CallsTo("PUT", ""), c => c.Path.Contains("/virtualMachines/", StringComparison.Ordinal));
        var status = Assert.Single(health.Snapshot());
        Assert.False(status.Healthy);
        Assert.Equal("AuthorizationFailed", status.LastErrorCode);
    }

    [Fact]
    public async Task Capacity_error_blocks_the_offer_so_the_next_create_is_not_sent()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await AzureFakeHarness.StartAsync(clock: clock);
        harness.Arm.FailAllocation(AzureFakeHarness.Size, "AllocationFailed", "Allocation failed.");
        var guarded = Guarded(harness.Provider, clock, out _);

        await Assert.ThrowsAsync<ProviderException>(() => guarded.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));
        var callsAfterFirst = harness.Arm.Calls.Count;
        var blocked = await Assert.ThrowsAsync<ProviderException>(() => guarded.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal("OfferBlocked", blocked.ProviderCode);
        Assert.Equal(callsAfterFirst, harness.Arm.Calls.Count);
    }

    private static GuardedComputeProvider Guarded(IComputeProvider inner, TimeProvider clock, out ProviderHealth health)
    {
        health = new ProviderHealth(clock);
        return new GuardedComputeProvider(inner, new UnavailableOfferCache(clock, TimeSpan.FromMinutes(5)), health, clock, Guard);
    }
}
