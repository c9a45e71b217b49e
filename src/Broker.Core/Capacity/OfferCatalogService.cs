using Broker.Core.Capacity.Catalog;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Capacity;

/// <summary>Reads the persisted offer catalog and records what Broker observes on it.</summary>
public sealed class OfferCatalogService(BrokerDbContext db, InterruptionEstimator estimator, TimeProvider clock)
{
    /// <summary>Every available offer with its current prices and interruption estimate (the placement snapshot's input).</summary>
    public async Task<IReadOnlyList<CatalogOffer>> LoadAvailableAsync(CancellationToken ct) =>
        (await db.Offers.AsNoTracking().Where(o => o.Available).OrderBy(o => o.Id).ToListAsync(ct)).ConvertAll(o => o.ToCatalogOffer());

    /// <summary>
    /// The offers matching <paramref name="query"/>, one row per (offer, market), cheapest GPU-hour first, at most
    /// <paramref name="limit"/>. Filters narrow the rows in SQL; <see cref="OfferQuery.Apply"/> orders them.
    /// Provider and region are matched lower-case, as every catalog spells them.
    /// </summary>
    public async Task<IReadOnlyList<PricedOffer>> QueryAsync(OfferQuery query, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = db.Offers.AsNoTracking();
        if (!query.IncludeUnavailable)
        {
            rows = rows.Where(o => o.Available);
        }
        if (query.GpuModel is { } raw)
        {
            var model = GpuModels.Normalize(raw);
            rows = rows.Where(o => o.GpuModel == model);
        }
        if (query.MinGpus is { } minGpus)
        {
            rows = rows.Where(o => o.GpuCount >= minGpus);
        }
        if (query.Provider?.ToLowerInvariant() is { } provider)
        {
            rows = rows.Where(o => o.Provider == provider);
        }
        if (query.Region?.ToLowerInvariant() is { } region)
        {
            rows = rows.Where(o => o.Region == region);
        }
        if (query.Market == CapacityType.Spot)
        {
            rows = rows.Where(o => o.SpotPerHour != null);
        }
        var offers = (await rows.ToListAsync(ct)).ConvertAll(o => o.ToCatalogOffer());
        return [.. query.Apply(offers).Take(limit)];
    }

    /// <summary>
    /// Records one spot run on the offer of <paramref name="offer"/> (its zonal row when there is one, else the regional
    /// row) and re-estimates its interruption hazard with <see cref="InterruptionEstimator"/> from the prior and the
    /// cumulative observations. Concurrent calls serialize on the row lock, so none is lost.
    /// </summary>
    public async Task<Offer> RecordSpotUsageAsync(OfferKey offer, double instanceHours, bool interrupted, CancellationToken ct)
    {
        if (offer.Market != CapacityType.Spot)
        {
            throw new ArgumentException("only spot usage feeds the interruption estimate", nameof(offer));
        }
        if (!double.IsFinite(instanceHours) || instanceHours < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(instanceHours), instanceHours, "instance-hours must be finite and not negative");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.Offers.FromSql($"""
            SELECT *, xmin FROM offers
            WHERE provider = {offer.Provider} AND region = {offer.Region} AND instance_type = {offer.InstanceType}
              AND (zone IS NULL OR zone = {offer.Zone})
            ORDER BY zone NULLS LAST LIMIT 1 FOR UPDATE
            """).ToListAsync(ct);
        var row = rows.FirstOrDefault() ?? throw new NotFoundException("offer", offer);
        row.RecordSpotUsage(instanceHours, interrupted, estimator, PostgresTime.Now(clock));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return row;
    }

    /// <summary>The latest price refresh of each provider that has one.</summary>
    public async Task<IReadOnlyDictionary<string, PriceRefreshRun>> LatestRefreshesAsync(CancellationToken ct)
    {
        var latest = await db.PriceRefreshes.AsNoTracking()
            .GroupBy(r => r.Provider)
            .Select(g => g.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).First())
            .ToListAsync(ct);
        return latest.ToDictionary(r => r.Provider, StringComparer.Ordinal);
    }
}
