using System.Text;
using System.Text.Json.Nodes;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Azure;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureCreateTests
{
    [Fact]
    public async Task Create_puts_a_tagged_vm_named_after_the_allocation_and_returns_it_running()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request();

        var instance = await harness.Provider.CreateAsync(request, CancellationToken.None);

        var vmName = AzureNames.VirtualMachine(request.AllocationId);
        Assert.Matches("^broker-[0-9a-f]{32}$", vmName);
        Assert.Equal(vmName, instance.InstanceId);
        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal((AzureFakeHarness.Region, AzureFakeHarness.Size, CapacityType.OnDemand), (instance.Region, instance.InstanceType, instance.Market));
        Assert.Equal((request.AllocationId, request.JobId), (instance.AllocationId, instance.JobId));
        var vm = Assert.Single(harness.Arm.VirtualMachines);
        var properties = vm["properties"]!;
        Assert.Equal("Regular", (string?)properties["priority"]);
        Assert.Null(properties["billingProfile"]);
        Assert.Equal(request.StartupScript, Encoding.UTF8.GetString(Convert.FromBase64String((string)properties["osProfile"]!["customData"]!)));
        Assert.Equal("true", (string?)vm["tags"]![ManagedTags.Managed]);
        Assert.Equal(request.AllocationId.ToString(), (string?)vm["tags"]![ManagedTags.Allocation]);
        Assert.Equal(AzureNames.NetworkInterface(vmName), Assert.Single(harness.Arm.NetworkInterfaceNames));
        Assert.Empty(harness.Arm.UnknownCalls);
    }

    [Fact]
    public async Task Create_polls_the_long_running_operation_until_it_succeeds()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.PollsBeforeDone = 1;

        var instance = await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(2, harness.Arm.CallsTo("GET", "").Count(c => c.Path.Contains("/operations/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Retried_create_with_the_same_allocation_puts_the_same_vm_name_and_makes_no_second_vm()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request();

        var first = await harness.Provider.CreateAsync(request, CancellationToken.None);
        var second = await harness.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Single(harness.Arm.VirtualMachines);
        Assert.Single(harness.Arm.NetworkInterfaceNames);
        Assert.Equal(2, harness.Arm.CallsTo("PUT", "/virtualMachines/" + first.InstanceId).Count);
    }

    [Fact]
    public async Task Create_retried_after_a_lost_response_finds_the_vm_the_first_put_made()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request();
        harness.Arm.AbortResponseAfterPut(AzureFakeHarness.Size);

        var lost = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(request, CancellationToken.None));
        Assert.Equal(ProviderErrorKind.Transient, lost.Kind);
        Assert.Single(harness.Arm.VirtualMachines);

        var instance = await harness.Provider.CreateAsync(request, CancellationToken.None);

        var vm = Assert.Single(harness.Arm.VirtualMachines);
        Assert.Equal(instance.InstanceId, (string?)vm["name"]);
        Assert.Equal("Succeeded", (string?)vm["properties"]!["provisioningState"]);
        Assert.Equal(2, harness.Arm.CallsTo("PUT", "/virtualMachines/" + instance.InstanceId).Count);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_allocation_yield_one_vm()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request();

        var instances = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => harness.Provider.CreateAsync(request, CancellationToken.None)));

        Assert.Single(instances.Select(i => i.InstanceId).Distinct());
        Assert.Single(harness.Arm.VirtualMachines);
    }

    [Theory]
    [InlineData(null, -1.0)]
    [InlineData("2.75", 2.75)]
    public async Task Spot_vm_has_spot_priority_delete_eviction_and_the_max_price(string? cap, double expectedMaxPrice)
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request(market: CapacityType.Spot, maxPrice: cap is null ? null : decimal.Parse(cap, System.Globalization.CultureInfo.InvariantCulture));

        var instance = await harness.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(CapacityType.Spot, instance.Market);
        var properties = Assert.Single(harness.Arm.VirtualMachines)["properties"]!;
        Assert.Equal("Spot", (string?)properties["priority"]);
        Assert.Equal("Delete", (string?)properties["evictionPolicy"]);
        Assert.Equal(expectedMaxPrice, properties["billingProfile"]!["maxPrice"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("2")]
    [InlineData("eastus-2")]
    public async Task Create_in_a_zone_pins_the_vm_to_the_zone_number(string zone)
    {
        await using var harness = await AzureFakeHarness.StartAsync();

        var instance = await harness.Provider.CreateAsync(AzureFakeHarness.Request(zone: zone), CancellationToken.None);

        Assert.Equal("2", instance.Zone);
        Assert.Equal(["2"], Assert.Single(harness.Arm.VirtualMachines)["zones"]!.AsArray().Select(z => (string?)z));
    }

    [Fact]
    public async Task Create_in_a_region_that_is_not_configured_is_an_invalid_request_and_sends_nothing()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request() with { Region = "japaneast" };

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(request, CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Empty(harness.Arm.Calls);
    }

    [Fact]
    public async Task Vm_deletion_takes_its_nic_and_os_disk_along()
    {
        await using var harness = await AzureFakeHarness.StartAsync();

        await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);

        var properties = Assert.Single(harness.Arm.VirtualMachines)["properties"]!;
        Assert.Equal("Delete", (string?)properties["storageProfile"]!["osDisk"]!["deleteOption"]);
        Assert.Equal("Delete", (string?)properties["networkProfile"]!["networkInterfaces"]![0]!["properties"]!["deleteOption"]);
        Assert.IsType<JsonObject>(properties["osProfile"]!["linuxConfiguration"]);
        Assert.True((bool)properties["osProfile"]!["linuxConfiguration"]!["disablePasswordAuthentication"]!);
    }
}
