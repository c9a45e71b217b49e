using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpTerminateTests
{
    [Fact]
    public async Task Terminate_of_unknown_instance_succeeds()
    {
        await using var rig = await GcpRig.StartAsync();

        await rig.Provider.TerminateAsync(GcpRig.Region, "us-central1-a", "broker-0123456789abcdef0123456789abcdef", CancellationToken.None);

        Assert.Single(rig.Fake.State.Calls(), c => c.Method == "DELETE");
    }

    [Fact]
    public async Task Terminate_deletes_the_instance_and_waits_for_the_operation()
    {
        await using var rig = await GcpRig.StartAsync();
        var created = await rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None);

        await rig.Provider.TerminateAsync(created.Region, created.Zone, created.InstanceId, CancellationToken.None);

        Assert.Empty(rig.Fake.State.AllInstances());
        var delete = Assert.Single(rig.Fake.State.Calls(), c => c.Method == "DELETE");
        Assert.True(Guid.TryParse(delete.RequestId, out _));
    }

    [Fact]
    public async Task Terminate_without_zone_looks_in_every_configured_zone_of_the_region()
    {
        await using var rig = await GcpRig.StartAsync();
        var name = GcpNaming.InstanceName(Guid.NewGuid());
        rig.Fake.Seed("us-central1-b", name, "g2-standard-8");

        await rig.Provider.TerminateAsync(GcpRig.Region, null, name, CancellationToken.None);

        Assert.Empty(rig.Fake.State.AllInstances());
    }

    [Fact]
    public async Task Terminating_twice_succeeds()
    {
        await using var rig = await GcpRig.StartAsync();
        var created = await rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None);

        await rig.Provider.TerminateAsync(created.Region, created.Zone, created.InstanceId, CancellationToken.None);
        await rig.Provider.TerminateAsync(created.Region, created.Zone, created.InstanceId, CancellationToken.None);

        Assert.Empty(rig.Fake.State.AllInstances());
    }
}
