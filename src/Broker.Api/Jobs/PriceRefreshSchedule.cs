using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Hangfire;

// Namespace differs from the folder on purpose: a Broker.Api.Jobs namespace would hide the API tests' Jobs helper class.
namespace Broker.Api.Background;

/// <summary>
/// One recurring job per registered <see cref="IPriceSource"/>, id <c>prices:&lt;provider&gt;</c>. Cron from
/// <c>Providers:&lt;Provider&gt;:PriceRefreshCron</c>, else <c>Providers:PriceRefreshCron</c>, else hourly (UTC).
/// Jobs of known providers that have no price source any more are removed. A run asks only for the regions in
/// <c>Providers:&lt;Provider&gt;:PriceRefreshRegions</c>, else the adapter's own <c>Regions</c> (AWS, Azure) or
/// <c>Zones</c> keys (GCP), else every region of the catalog.
/// </summary>
public static class PriceRefreshSchedule
{
    public const string DefaultCron = "0 * * * *";
    private static readonly string[] KnownProviders = ["aws", "azure", "gcp"];

    public static string JobId(string provider) => $"prices:{provider}";

    public static string CronFor(IConfiguration configuration, string provider) =>
        configuration[$"Providers:{provider}:PriceRefreshCron"] is { Length: > 0 } own ? own
        : configuration["Providers:PriceRefreshCron"] is { Length: > 0 } all ? all
        : DefaultCron;

    public static IReadOnlyCollection<string>? RegionsFor(IConfiguration configuration, string provider)
    {
        var section = configuration.GetSection($"Providers:{provider}");
        string[] regions = [.. Values(section.GetSection("PriceRefreshRegions"))];
        regions = regions.Length > 0 ? regions : [.. Values(section.GetSection("Regions"))];
        regions = regions.Length > 0 ? regions : [.. section.GetSection("Zones").GetChildren().Select(z => z.Key)];
        return regions.Length > 0 ? regions : null;
    }

    private static IEnumerable<string> Values(IConfigurationSection list) =>
        list.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0);

    public static WebApplication SchedulePriceRefreshes(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var providers = scope.ServiceProvider.GetServices<IPriceSource>().Select(s => s.Provider).Distinct(StringComparer.Ordinal).ToList();
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PriceRefreshSchedule));
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();
        logger.LogInformation("Compute providers: {Providers} ({Kind})", string.Join(", ", registry.Names), registry.Kind);
        foreach (var provider in providers)
        {
            var cron = CronFor(app.Configuration, provider);
            jobs.AddOrUpdate<PriceRefreshJob>(JobId(provider), job => job.RunAsync(provider, CancellationToken.None),
                cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            logger.LogInformation("Price refresh {JobId} scheduled at '{Cron}' UTC", JobId(provider), cron);
        }
        foreach (var stale in KnownProviders.Except(providers, StringComparer.Ordinal))
        {
            jobs.RemoveIfExists(JobId(stale));
        }
        return app;
    }
}
