using Azure.Core;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Azure;

namespace Broker.Providers.Tests.Azure;

/// <summary>The real Azure SDK pointed at a <see cref="FakeArm"/>: https base address, scheme-rewriting handler, fake credential.</summary>
internal sealed class AzureFakeHarness : IAsyncDisposable
{
    public const string Region = "eastus";
    public const string Size = "Standard_NC24ads_A100_v4";

    private AzureFakeHarness(FakeArm arm, AzureOptions options, AzureComputeProvider provider)
    {
        Arm = arm;
        Options = options;
        Provider = provider;
    }

    public FakeArm Arm { get; }
    public AzureOptions Options { get; }
    public AzureComputeProvider Provider { get; }

    public static async Task<AzureFakeHarness> StartAsync(TokenCredential? credential = null, TimeProvider? clock = null)
    {
        var arm = await FakeArm.StartAsync(clock);
        var options = new AzureOptions
        {
            SubscriptionId = FakeArm.Subscription,
            ResourceGroup = FakeArm.ResourceGroup,
            Regions = [Region, "westus2"],
            SubnetId = $"/subscriptions/{FakeArm.Subscription}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/broker/subnets/gpu",
            SshPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests broker@test",
            ArmEndpoint = arm.HttpsBase,
        };
        var client = AzureArmClientFactory.Create(options, credential ?? new FakeTokenCredential(), new SchemeRewritingHandler());
        return new AzureFakeHarness(arm, options, new AzureComputeProvider(client, options, clock ?? TimeProvider.System));
    }

    public static InstanceRequest Request(string size = Size, CapacityType market = CapacityType.OnDemand, string? zone = null,
        decimal? maxPrice = null, Guid? allocationId = null) =>
        new(allocationId ?? Guid.NewGuid(), Guid.NewGuid(), Region, zone, size, market, maxPrice, "#!/bin/bash\necho hello from broker\n");

    public ValueTask DisposeAsync() => Arm.DisposeAsync();
}
