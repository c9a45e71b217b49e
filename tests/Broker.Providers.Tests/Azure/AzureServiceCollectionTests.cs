using Azure.Core;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureServiceCollectionTests
{
    [Fact]
    public void Add_azure_provider_binds_the_providers_azure_section_and_registers_the_ports()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Azure:SubscriptionId"] = FakeArm.Subscription,
            ["Providers:Azure:ResourceGroup"] = "gpu-burst",
            ["Providers:Azure:Regions:0"] = "eastus",
            ["Providers:Azure:Regions:1"] = "westus3",
            ["Providers:Azure:SubnetIdsByRegion:westus3"] = "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/w3",
            ["Providers:Azure:Image:Sku"] = "2404",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TokenCredential>(new FakeTokenCredential());

        using var provider = services.AddAzureProvider(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AzureOptions>>().Value;
        Assert.Equal(("gpu-burst", "2404"), (options.ResourceGroup, options.Image.Sku));
        Assert.Equal(["eastus", "westus3"], options.Regions);
        Assert.EndsWith("/w3", options.SubnetFor("westus3"), StringComparison.Ordinal);
        Assert.Equal("azure", Assert.Single(provider.GetServices<IComputeProvider>()).Name);
        Assert.Equal("azure", Assert.Single(provider.GetServices<IPriceSource>()).Provider);
    }
}
