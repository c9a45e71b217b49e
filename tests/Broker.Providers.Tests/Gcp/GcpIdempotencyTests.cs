using Broker.Core.Provisioning;
using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpIdempotencyTests
{
    [Fact]
    public async Task Retried_create_reuses_the_request_id_and_makes_no_second_instance()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();

        var first = await rig.Provider.CreateAsync(request, CancellationToken.None);
        var second = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Single(rig.Fake.State.AllInstances());
        var inserts = rig.Inserts();
        Assert.Equal(2, inserts.Count);
        Assert.Single(inserts.Select(c => c.RequestId).Distinct());
        Assert.True(Guid.TryParse(inserts[0].RequestId, out var requestId) && requestId != Guid.Empty);
    }

    [Fact]
    public async Task Create_retried_after_a_lost_response_returns_the_instance_the_first_attempt_made()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.DropNextInsertResponse = true;
        var request = GcpRig.Request();

        var lost = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(request, CancellationToken.None));
        Assert.Equal(ProviderErrorKind.Transient, lost.Kind);
        Assert.Single(rig.Fake.State.AllInstances());

        var instance = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(GcpNaming.InstanceName(request.AllocationId), Assert.Single(rig.Fake.State.AllInstances()).Name);
        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Single(rig.Inserts().Select(c => c.RequestId).Distinct());
    }

    [Fact]
    public async Task Concurrent_creates_of_one_allocation_yield_one_instance()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();

        var results = await Task.WhenAll(
            rig.Provider.CreateAsync(request, CancellationToken.None),
            rig.Provider.CreateAsync(request, CancellationToken.None));

        Assert.Equal(results[0].InstanceId, results[1].InstanceId);
        Assert.Single(rig.Fake.State.AllInstances());
    }

    [Fact]
    public async Task Create_that_meets_alreadyExists_returns_the_existing_instance()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();
        // Created by an earlier attempt whose requestId the cloud no longer remembers.
        rig.Fake.Seed("us-central1-a", GcpNaming.InstanceName(request.AllocationId), request.InstanceType,
            new Dictionary<string, string>
            {
                [ManagedTags.Managed] = "true",
                [ManagedTags.Allocation] = request.AllocationId.ToString(),
                [ManagedTags.Job] = request.JobId.ToString(),
            }, status: "STAGING");

        var instance = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal((request.AllocationId, InstanceState.Pending), (instance.AllocationId, instance.State));
        Assert.Single(rig.Fake.State.AllInstances());
    }
}
