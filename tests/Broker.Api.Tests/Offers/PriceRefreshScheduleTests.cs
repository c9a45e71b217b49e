using Broker.Api.Jobs;
using Microsoft.Extensions.Configuration;

namespace Broker.Api.Tests.Offers;

public sealed class PriceRefreshScheduleTests
{
    [Fact]
    public void Cron_comes_from_the_provider_then_the_providers_section_then_hourly()
    {
        var configuration = Config(new() { ["Providers:Gcp:PriceRefreshCron"] = "*/5 * * * *", ["Providers:PriceRefreshCron"] = "30 */2 * * *" });

        Assert.Equal("*/5 * * * *", PriceRefreshSchedule.CronFor(configuration, "gcp"));
        Assert.Equal("30 */2 * * *", PriceRefreshSchedule.CronFor(configuration, "azure"));
        Assert.Equal(PriceRefreshSchedule.DefaultCron, PriceRefreshSchedule.CronFor(Config([]), "aws"));
    }

    [Fact]
    public void Refreshed_regions_are_the_explicit_list_else_the_adapters_regions_or_zones_else_all()
    {
        var configuration = Config(new()
        {
            ["Providers:Aws:Regions:0"] = "us-east-1",
            ["Providers:Aws:Regions:1"] = "us-west-2",
            ["Providers:Azure:Regions:0"] = "eastus",
            ["Providers:Azure:PriceRefreshRegions:0"] = "westus2",
            ["Providers:Gcp:Zones:us-central1:0"] = "us-central1-a",
            ["Providers:Gcp:Zones:europe-west4:0"] = "europe-west4-b",
        });

        Assert.Equal(["us-east-1", "us-west-2"], PriceRefreshSchedule.RegionsFor(configuration, "aws"));
        Assert.Equal(["westus2"], PriceRefreshSchedule.RegionsFor(configuration, "azure"));
        Assert.Equal(["europe-west4", "us-central1"], PriceRefreshSchedule.RegionsFor(configuration, "gcp")!.Order());
        Assert.Null(PriceRefreshSchedule.RegionsFor(Config([]), "aws"));
    }

    private static IConfiguration Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
