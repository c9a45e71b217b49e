using Broker.Core.Capacity;
using Hangfire;

// Namespace differs from the folder on purpose: a Broker.Api.Jobs namespace would hide the API tests' Jobs helper class.
namespace Broker.Api.Jobs;

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

    /// <summary>Called by <see cref="Hosting.RecurringSchedules"/>, the one owner of recurring jobs.</summary>
    public static void Register(IRecurringJobManager jobs, IConfiguration configuration, IReadOnlyCollection<string> providers, ILogger logger)
    {
        foreach (var provider in providers)
        {
            var cron = CronFor(configuration, provider);
            jobs.AddOrUpdate<PriceRefreshJob>(JobId(provider), job => job.RunAsync(provider, CancellationToken.None),
                cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            logger.LogInformation("Price refresh {JobId} scheduled at '{Cron}' UTC", JobId(provider), cron);
        }
        foreach (var stale in KnownProviders.Except(providers, StringComparer.Ordinal))
        {
            jobs.RemoveIfExists(JobId(stale));
        }
    }
}
