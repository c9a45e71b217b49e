using Broker.Api.Hosting;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Providers;

/// <summary>Only GCP switched on: each flag enables its own cloud, and the others are neither real nor simulated.</summary>
public sealed class GcpOnlyApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Gcp:Enabled"] = "true",
        ["Providers:Gcp:Project"] = "broker-test",
        ["Providers:Azure:Enabled"] = "false",
    };
}

public sealed class GcpOnlyTests(GcpOnlyApp app) : IClassFixture<GcpOnlyApp>
{
    [Fact]
    public async Task Only_the_enabled_cloud_is_registered_and_refreshed_and_only_a_server_replica_schedules_it()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var atStart = connection.GetRecurringJobs();

        app.Services.GetRequiredService<RecurringSchedules>().Register();
        var jobs = connection.GetRecurringJobs().Select(j => j.Id).Where(id => id.StartsWith("prices:", StringComparison.Ordinal));

        Assert.Equal(ComputeProviderKind.Real, registry.Kind);
        Assert.Equal(["gcp"], registry.Names);
        Assert.Empty(atStart);
        Assert.Equal(["prices:gcp"], jobs);
    }
}
