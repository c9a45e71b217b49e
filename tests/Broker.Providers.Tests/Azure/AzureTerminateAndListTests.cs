using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Azure;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureTerminateAndListTests
{
    [Fact]
    public async Task Terminate_of_unknown_vm_succeeds()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var vmName = AzureNames.VirtualMachine(Guid.NewGuid());

        await harness.Provider.TerminateAsync(AzureFakeHarness.Region, null, vmName, CancellationToken.None);

        Assert.Single(harness.Arm.CallsTo("DELETE", "/virtualMachines/" + vmName));
        Assert.Empty(harness.Arm.UnknownCalls);
    }

    [Fact]
    public async Task Terminate_deletes_the_vm_and_its_nic()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var instance = await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);

        await harness.Provider.TerminateAsync(instance.Region, instance.Zone, instance.InstanceId, CancellationToken.None);

        Assert.Empty(harness.Arm.VirtualMachines);
        Assert.Empty(harness.Arm.NetworkInterfaceNames);
    }

    [Fact]
    public async Task Terminate_twice_succeeds_both_times()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var instance = await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);

        await harness.Provider.TerminateAsync(instance.Region, instance.Zone, instance.InstanceId, CancellationToken.None);
        await harness.Provider.TerminateAsync(instance.Region, instance.Zone, instance.InstanceId, CancellationToken.None);

        Assert.Equal(2, harness.Arm.CallsTo("DELETE", "/virtualMachines/" + instance.InstanceId).Count);
    }

    [Fact]
    public async Task List_managed_returns_exactly_the_broker_tagged_vms_across_pages()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var spot = AzureFakeHarness.Request(market: CapacityType.Spot, zone: "1");
        var created = new[]
        {
            await harness.Provider.CreateAsync(spot, CancellationToken.None),
            await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None),
            await harness.Provider.CreateAsync(AzureFakeHarness.Request(size: "Standard_ND96asr_v4"), CancellationToken.None),
        };
        harness.Arm.AddVirtualMachine("jumpbox", "Standard_B2s", AzureFakeHarness.Region, new Dictionary<string, string> { ["owner"] = "ops" });
        harness.Arm.AddVirtualMachine("legacy", "Standard_B2s", AzureFakeHarness.Region, new Dictionary<string, string> { [ManagedTags.Managed] = "false" });

        var managed = await harness.Provider.ListManagedAsync(CancellationToken.None);

        Assert.Equal(created.Select(i => i.InstanceId).Order(), managed.Select(i => i.InstanceId).Order());
        var listedSpot = Assert.Single(managed, i => i.AllocationId == spot.AllocationId);
        Assert.Equal((CapacityType.Spot, spot.JobId, "1", InstanceState.Running), (listedSpot.Market, listedSpot.JobId, listedSpot.Zone, listedSpot.State));
        Assert.Equal(2, managed.Count(i => i.Market == CapacityType.OnDemand));
        Assert.True(harness.Arm.CallsTo("GET", "/virtualMachines").Count >= 3, "five VMs at two per page need three list pages");
        Assert.Empty(harness.Arm.UnknownCalls);
    }
}
