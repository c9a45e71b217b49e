using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Jobs;
using Broker.Api.Hosting;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Aws;
using Broker.Providers.Azure;
using Broker.Providers.Gcp.Pricing;
using Broker.Providers.Simulated;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Providers;

public sealed class RealProviderRegistrationTests(RealProvidersApp app) : IClassFixture<RealProvidersApp>
{
    [Fact]
    public async Task Enabled_clouds_replace_the_simulated_ones_and_are_guarded()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();

        Assert.Equal(ComputeProviderKind.Real, registry.Kind);
        Assert.Equal(["aws", "azure", "gcp"], registry.Names);
        Assert.All(registry.Names, name => Assert.IsType<GuardedComputeProvider>(registry.Get(name)));
        Assert.Null(app.Services.GetService<SimulatedClouds>());
        var sources = scope.ServiceProvider.GetServices<IPriceSource>().ToList();
        Assert.Equal(["aws", "azure", "gcp"], sources.Select(s => s.Provider).Order());
        Assert.Contains(sources, s => s is AwsSpotPriceSource);
        Assert.Contains(sources, s => s is AzureRetailPriceSource);
        Assert.Contains(sources, s => s is GcpBillingPriceSource);
    }

    [Fact]
    public void Each_enabled_cloud_gets_an_hourly_price_refresh_job()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();

        app.Services.GetRequiredService<RecurringSchedules>().Register();
        var jobs = connection.GetRecurringJobs().Where(j => j.Id.StartsWith("prices:", StringComparison.Ordinal)).OrderBy(j => j.Id).ToList();

        Assert.Equal(["prices:aws", "prices:azure", "prices:gcp"], jobs.Select(j => j.Id));
        Assert.All(jobs, j => Assert.Equal(PriceRefreshSchedule.DefaultCron, j.Cron));
    }

    [Fact]
    public async Task Providers_endpoint_lists_the_real_clouds()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var body = await ops.GetFromJsonAsync<JsonObject>("/v1/providers");

        var items = body!["items"]!.AsArray();
        Assert.Equal(["aws", "azure", "gcp"], items.Select(i => i!["name"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Equal("real", i!["kind"]!.GetValue<string>()));
    }
}
