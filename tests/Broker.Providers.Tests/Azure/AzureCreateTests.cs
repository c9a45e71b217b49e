using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Azure;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureCreateTests
{
    [Fact]
    public async Task Create_puts_a_vm_named_after_the_allocation_and_returns_it_running()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var request = AzureFakeHarness.Request();

        var instance = await harness.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Empty(harness.Arm.UnknownCalls);
        Assert.Equal(AzureNames.VirtualMachine(request.AllocationId), instance.InstanceId);
        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(CapacityType.OnDemand, instance.Market);
        Assert.Equal(request.AllocationId, instance.AllocationId);
        Assert.Equal(request.JobId, instance.JobId);
        foreach (var call in harness.Arm.Calls)
        {
            Console.WriteLine($"{call.Method} {call.Path}{call.Query}");
        }
    }
}
