using Broker.Core.Capacity;
using Hangfire;

// Namespace differs from the folder on purpose: a Broker.Api.Jobs namespace would hide the API tests' Jobs helper class.
namespace Broker.Api.Jobs;

/// <summary>
/// Recurring Hangfire job <c>prices:&lt;provider&gt;</c>: refreshes one provider's prices (<see cref="OfferPriceRefresher"/>).
/// A failing price source is not a job failure: the run is recorded and the last good prices stay. Not retried, since the
/// next scheduled run is the retry; a second run at the same time is harmless.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class PriceRefreshJob(IEnumerable<IPriceSource> sources, OfferPriceRefresher refresher, IConfiguration configuration,
    ILogger<PriceRefreshJob> logger)
{
    public async Task RunAsync(string provider, CancellationToken cancellationToken)
    {
        var source = sources.FirstOrDefault(s => s.Provider == provider);
        if (source is null)
        {
            logger.LogWarning("No price source for provider {Provider} is registered; nothing refreshed", provider);
            return;
        }
        var run = await refresher.RefreshAsync(source, PriceRefreshSchedule.RegionsFor(configuration, provider), cancellationToken);
        if (run.Succeeded)
        {
            logger.LogInformation("Prices of {Provider} refreshed: {Offers} offers updated, {Applied} quotes applied, {Unknown} unknown, {Rejected} rejected",
                provider, run.OffersUpdated, run.QuotesApplied, run.QuotesUnknown, run.QuotesRejected);
        }
        else
        {
            logger.LogWarning("Price refresh of {Provider} failed, last good prices kept: {Reason}", provider, run.Reason);
        }
    }
}
