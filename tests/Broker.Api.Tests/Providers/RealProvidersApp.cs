using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Providers;

/// <summary>AWS, Azure and GCP switched on (never called: the tests only look at what was registered).</summary>
public sealed class RealProvidersApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Aws:Enabled"] = "true",
        ["Providers:Aws:Regions:0"] = "us-east-1",
        ["Providers:Aws:DefaultImageId"] = "ami-0123456789abcdef0",
        ["Providers:Azure:Enabled"] = "true",
        ["Providers:Azure:SubscriptionId"] = "00000000-0000-0000-0000-000000000001",
        ["Providers:Azure:ResourceGroup"] = "broker-test",
        ["Providers:Azure:Regions:0"] = "eastus",
        ["Providers:Gcp:Enabled"] = "true",
        ["Providers:Gcp:Project"] = "broker-test",
    };
}
