using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Providers;

/// <summary>The default set-up (no real cloud enabled, so simulated clouds) with one instance of capacity per offer.</summary>
public sealed class SimulatedProvidersApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Simulated:CapacityPerOffer"] = "1",
        ["Providers:BlockTtl"] = "01:00:00",
    };
}
