using Broker.Core.Capacity;
using Broker.Providers.Gcp;
using Broker.Providers.Gcp.Compute;
using Broker.Providers.Tests.Gcp.Fake;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpComputeClientTests
{
    [Fact]
    public async Task Zone_operation_goes_from_pending_through_running_to_done()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();
        var body = GceInstanceFactory.Build(request, "us-central1-a", rig.Options);

        var inserted = await rig.Client.InsertInstanceAsync(rig.Options.Project, "us-central1-a", body,
            GcpNaming.InsertRequestId(request.AllocationId, "us-central1-a", request.InstanceType, CapacityType.OnDemand),
            CancellationToken.None);
        var running = await rig.Client.GetZoneOperationAsync(rig.Options.Project, "us-central1-a", inserted.Name!, CancellationToken.None);
        var done = await rig.Client.WaitZoneOperationAsync(rig.Options.Project, "us-central1-a", inserted.Name!, CancellationToken.None);

        Assert.Equal(("PENDING", "RUNNING", "DONE"), (inserted.Status, running.Status, done.Status));
        Assert.Equal("insert", done.OperationType);
        var instance = await rig.Client.GetInstanceAsync(rig.Options.Project, "us-central1-a", body.Name!, CancellationToken.None);
        Assert.Equal("RUNNING", instance!.Status);
    }

    [Fact]
    public async Task Waiting_on_an_operation_that_finished_with_errors_throws_its_codes()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.InOperation("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", 503));
        var request = GcpRig.Request();
        var inserted = await rig.Client.InsertInstanceAsync(rig.Options.Project, "us-central1-a",
            GceInstanceFactory.Build(request, "us-central1-a", rig.Options), Guid.NewGuid(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<GcpApiException>(() =>
            rig.Client.WaitZoneOperationAsync(rig.Options.Project, "us-central1-a", inserted.Name!, CancellationToken.None));

        Assert.True(error.FromOperation);
        Assert.Equal((503, "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"), (error.HttpStatus, Assert.Single(error.Codes)));
    }

    [Fact]
    public async Task Get_of_a_missing_instance_is_null_and_delete_of_it_has_no_operation()
    {
        await using var rig = await GcpRig.StartAsync();

        var instance = await rig.Client.GetInstanceAsync(rig.Options.Project, "us-central1-a", "broker-missing", CancellationToken.None);
        var operation = await rig.Client.DeleteInstanceAsync(rig.Options.Project, "us-central1-a", "broker-missing", Guid.NewGuid(),
            CancellationToken.None);

        Assert.Null(instance);
        Assert.Null(operation);
    }
}
