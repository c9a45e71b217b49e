using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Capacity;

/// <summary>
/// Refreshes one provider's persisted prices from its <see cref="IPriceSource"/> and records the run in
/// <c>price_refreshes</c>. The source is asked outside any transaction; the changed prices are then written in one
/// transaction over the provider's rows locked in id order, so two runs at once serialize and the same quotes give the same
/// rows. A failed source changes no price (the last good ones stay) and the run records why.
/// <para>With <c>regions</c> given, only offers in those regions are asked for (the regions the deployment uses; a cloud
/// may refuse calls to regions an account has not opted into), and quotes for other regions count as unknown.</para>
/// </summary>
public sealed class OfferPriceRefresher(BrokerDbContext db, TimeProvider clock)
{
    public async Task<PriceRefreshRun> RefreshAsync(IPriceSource source, IReadOnlyCollection<string>? regions, CancellationToken ct)
    {
        var offers = db.Offers.AsNoTracking().Where(o => o.Provider == source.Provider);
        if (regions is { Count: > 0 })
        {
            var only = regions.ToList();
            offers = offers.Where(o => only.Contains(o.Region));
        }
        var snapshot = (await offers.OrderBy(o => o.Id).ToListAsync(ct)).ConvertAll(o => o.ToCatalogOffer());
        var result = await PriceRefresh.RefreshAsync(snapshot, source, ct);
        // Only offers this run's quotes changed are written, so a slower run never undoes a newer run's other prices.
        var changed = new Dictionary<(string, string?, string), CatalogOffer>();
        for (var i = 0; result.Succeeded && i < snapshot.Count; i++)
        {
            if (result.Offers[i] != snapshot[i])
            {
                changed[(snapshot[i].Region, snapshot[i].Zone, snapshot[i].InstanceType)] = result.Offers[i];
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = PostgresTime.Now(clock);
        var updated = 0;
        if (changed.Count > 0)
        {
            var rows = await db.Offers
                .FromSql($"SELECT *, xmin FROM offers WHERE provider = {source.Provider} ORDER BY id FOR UPDATE")
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                var (onDemand, spot) = (row.OnDemandPerHour, row.SpotPerHour);
                if (changed.TryGetValue((row.Region, row.Zone, row.InstanceType), out var offer) && row.TakePrices(offer, now))
                {
                    updated++;
                    RecordChange(row, CapacityType.OnDemand, onDemand, row.OnDemandPerHour, now);
                    RecordChange(row, CapacityType.Spot, spot, row.SpotPerHour, now);
                }
            }
        }
        var run = new PriceRefreshRun
        {
            Provider = source.Provider,
            At = now,
            Succeeded = result.Succeeded,
            OffersUpdated = updated,
            QuotesApplied = result.QuotesApplied,
            QuotesUnknown = result.QuotesIgnoredUnknown,
            QuotesRejected = result.QuotesRejected,
            Reason = PriceRefreshRun.Shorten(result.FailureReason),
        };
        db.PriceRefreshes.Add(run);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return run;
    }

    /// <summary>Keeps the price history the ledger splits runs at (a spot price change during a run splits its entry).</summary>
    private void RecordChange(Offer row, CapacityType market, decimal? before, decimal? after, DateTimeOffset at)
    {
        if (before != after)
        {
            db.OfferPriceChanges.Add(new OfferPriceChange
            {
                Provider = row.Provider, Region = row.Region, Zone = row.Zone, InstanceType = row.InstanceType, Market = market,
                At = at, PreviousPricePerHour = before, PricePerHour = after,
            });
        }
    }
}
