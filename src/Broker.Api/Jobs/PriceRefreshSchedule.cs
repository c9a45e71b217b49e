using Broker.Core.Capacity;
using Hangfire;

// Namespace differs from the folder on purpose: a Broker.Api.Jobs namespace would hide the API tests' Jobs helper class.
namespace Broker.Api.Background;

/// <summary>
/// One recurring job per registered <see cref="IPriceSource"/>, id <c>prices:&lt;provider&gt;</c>. Cron from
/// <c>Providers:&lt;Provider&gt;:PriceRefreshCron</c>, else <c>Providers:PriceRefreshCron</c>, else hourly (UTC).
/// Jobs of known providers that have no price source any more are removed.
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

    public static WebApplication SchedulePriceRefreshes(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var providers = scope.ServiceProvider.GetServices<IPriceSource>().Select(s => s.Provider).Distinct(StringComparer.Ordinal).ToList();
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        foreach (var provider in providers)
        {
            jobs.AddOrUpdate<PriceRefreshJob>(JobId(provider), job => job.RunAsync(provider, CancellationToken.None),
                CronFor(app.Configuration, provider), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        foreach (var stale in KnownProviders.Except(providers, StringComparer.Ordinal))
        {
            jobs.RemoveIfExists(JobId(stale));
        }
        return app;
    }
}
