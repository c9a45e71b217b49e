using Broker.Api.Auth;
using Broker.Api.Jobs;
using Broker.Core.Persistence;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Broker.Api.Hosting;

/// <summary>Hangfire on the same PostgreSQL (schema <c>hangfire</c>). The server runs only where <c>Hangfire:ServerEnabled</c> is true.</summary>
public static class BackgroundJobs
{
    public static IServiceCollection AddBrokerBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Broker")!;
        // The storage is this host's own singleton. AddHangfire would otherwise hand out the process-wide
        // JobStorage.Current, which the last host configured wins: several hosts in one process (tests, tools) would
        // then enqueue into each other's databases.
        var options = StorageOptions(configuration);
        // Hangfire.PostgreSql keeps no session state on its connections (its locks are rows, LISTEN only with long polling,
        // which is off), so Npgsql's DISCARD ALL on every reuse is pure cost: bench/lifecycle-throughput counted 9 per job,
        // each its own commit. RunLocks keeps the plain string: its advisory locks are session state.
        var hangfireConnection = BrokerDatabase.Tuned(connectionString);
        services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(hangfireConnection, options), options));
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .UseStorage(provider.GetRequiredService<JobStorage>()));
        // Before the Hangfire server, so the recurring jobs are registered before it polls for them.
        services.AddSingleton<RecurringSchedules>();
        services.AddSingleton(new RunLocks(connectionString));
        services.AddHostedService(provider => provider.GetRequiredService<RecurringSchedules>());
        if (ServerEnabled(configuration))
        {
            // Its workers take control jobs first (the queues are fetched in name order: "control" before "default").
            services.AddHangfireServer(server =>
            {
                server.WorkerCount = configuration.GetValue("Hangfire:WorkerCount", Math.Max(2, Environment.ProcessorCount * 2));
                server.Queues = [ControlQueue.Name, "default"];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
            // And workers of their own for them, so a provisioning backlog (every default worker busy with a chunk whose
            // cloud calls take seconds) never delays a placement pass or a reconcile round.
            services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}-control";
                server.WorkerCount = configuration.GetValue("Hangfire:ControlWorkerCount", 2);
                server.Queues = [ControlQueue.Name];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }
        return services;
    }

    /// <summary>
    /// Broker's own long runs take session advisory locks (RunLocks), so Hangfire's lock rows guard only its short internal
    /// sections; a SIGKILLed replica's row then blocks a recurring job for a minute, not the default ten. A job a killed
    /// replica had fetched is fetched again once <c>Hangfire:InvisibilityTimeout</c> (2 min) passes without the heartbeat
    /// of its server, which renews a running job's fetch every fifth of it (sliding): so a job may run longer than the
    /// timeout, and the default 30 min wait for a dead replica's work is gone (ADR 0013).
    /// </summary>
    public static PostgreSqlStorageOptions StorageOptions(IConfiguration configuration) => new()
    {
        PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1), DistributedLockTimeout = TimeSpan.FromMinutes(1),
        InvisibilityTimeout = configuration.GetValue("Hangfire:InvisibilityTimeout", TimeSpan.FromMinutes(2)),
        UseSlidingInvisibilityTimeout = true,
    };

    /// <summary>The one switch: this replica runs the Hangfire server and registers the recurring jobs.</summary>
    public static bool ServerEnabled(IConfiguration configuration) => configuration.GetValue("Hangfire:ServerEnabled", false);

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
