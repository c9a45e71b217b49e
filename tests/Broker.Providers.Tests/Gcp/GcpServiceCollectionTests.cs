using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp;
using Broker.Providers.Gcp.Auth;
using Broker.Providers.Tests.Gcp.Fake;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpServiceCollectionTests
{
    [Fact]
    public async Task Provider_and_price_source_resolve_from_the_providers_gcp_section_and_work()
    {
        await using var fake = await FakeGceServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Gcp:Project"] = fake.State.Project,
            ["Providers:Gcp:Zones:us-central1:0"] = "us-central1-b",
            ["Providers:Gcp:SourceImage"] = "projects/debian-cloud/global/images/family/debian-12",
            ["Providers:Gcp:BaseUrl"] = fake.ComputeUrl.ToString(),
            ["Providers:Gcp:BillingBaseUrl"] = fake.RootUrl.ToString(),
            ["Providers:Gcp:OperationPollInterval"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IGcpAccessTokenProvider>(new StaticAccessTokenProvider(FakeGceServer.Token));
        services.AddGcpProvider(configuration);
        await using var provider = services.BuildServiceProvider();

        var compute = Assert.Single(provider.GetServices<IComputeProvider>());
        var instance = await compute.CreateAsync(GcpRig.Request(), CancellationToken.None);

        Assert.Equal(("gcp", "us-central1-b"), (compute.Name, instance.Zone));
        Assert.Equal("gcp", Assert.Single(provider.GetServices<IPriceSource>()).Provider);
    }
}
