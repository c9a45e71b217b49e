using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Offers;

/// <summary>
/// The API with a scripted AWS price feed (the simulated clouds register none), refreshed every 15 minutes, for the three
/// AWS regions the tests use.
/// </summary>
public sealed class RefreshApp : BrokerApp
{
    public ScriptedPriceSource Aws { get; } = new("aws");

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Aws:PriceRefreshCron"] = "*/15 * * * *",
        ["Providers:Aws:PriceRefreshRegions:0"] = "us-east-1",
        ["Providers:Aws:PriceRefreshRegions:1"] = "us-west-2",
        ["Providers:Aws:PriceRefreshRegions:2"] = "eu-north-1",
    };

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<IPriceSource>(Aws);
}
