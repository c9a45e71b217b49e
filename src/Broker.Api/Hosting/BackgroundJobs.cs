using Broker.Api.Auth;
using Hangfire;
using Hangfire.PostgreSql;

namespace Broker.Api.Hosting;

/// <summary>Hangfire on the same PostgreSQL (schema <c>hangfire</c>). The server runs only where <c>Hangfire:ServerEnabled</c> is true.</summary>
public static class BackgroundJobs
{
    public static IServiceCollection AddBrokerBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Broker")!;
        services.AddHangfire(hangfire => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(storage => storage.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1) }));
        if (configuration.GetValue("Hangfire:ServerEnabled", false))
        {
            services.AddHangfireServer(server =>
            {
                server.WorkerCount = configuration.GetValue("Hangfire:WorkerCount", Math.Max(2, Environment.ProcessorCount * 2));
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }
        return services;
    }

    public static WebApplication MapBrokerDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new HangfireDashboardAuthorization()],
            DashboardTitle = "Broker background jobs",
        });
        return app;
    }
}
