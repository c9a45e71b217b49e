using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Costs;

/// <summary>
/// The ops-configured on-prem chargeback rate (USD per GPU-hour) over time. Before the first configured rate the
/// placement default (<see cref="PlacementSettings.OnPremRatePerGpuHour"/>) applies. A new rate takes effect from its
/// time on and never in the past, so entries already written stay right.
/// </summary>
public sealed class OnPremRates(BrokerDbContext db, PlacementSettings settings, AuditTrail audit, TimeProvider clock)
{
    public const decimal MaxRate = 10_000m;

    public decimal DefaultRate => settings.OnPremRatePerGpuHour;

    public Task<List<OnPremRate>> ListAsync(CancellationToken ct) =>
        db.OnPremRates.AsNoTracking().OrderBy(r => r.EffectiveFrom).ToListAsync(ct);

    public async Task<PriceTimeline> PerGpuHourAsync(CancellationToken ct) =>
        new(DefaultRate, (await ListAsync(ct)).Select(r => (r.EffectiveFrom, r.UsdPerGpuHour)));

    public async Task<decimal> CurrentAsync(CancellationToken ct) => (await PerGpuHourAsync(ct)).At(clock.GetUtcNow());

    /// <summary>Adds a rate with its audit record (before: the rate that would apply from then without it) in one save.</summary>
    public async Task<OnPremRate> AddAsync(DateTimeOffset effectiveFrom, decimal usdPerGpuHour, AuditActor actor, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        if (effectiveFrom < now.AddMinutes(-1))
        {
            throw RuleViolationException.For("effectiveFrom", "A rate takes effect now or later; past entries are never repriced.");
        }
        if (usdPerGpuHour <= 0 || usdPerGpuHour > MaxRate || Usd.Round(usdPerGpuHour) != usdPerGpuHour)
        {
            throw RuleViolationException.For("usdPerGpuHour", $"The rate is above 0 and at most {MaxRate} USD, with at most 6 decimals.");
        }
        var rate = new OnPremRate { EffectiveFrom = effectiveFrom.ToUniversalTime(), UsdPerGpuHour = usdPerGpuHour, CreatedAt = now };
        var replaced = (await PerGpuHourAsync(ct)).At(rate.EffectiveFrom);
        db.OnPremRates.Add(rate);
        audit.Record(actor, "onprem-rate.add", $"onprem-rate:{rate.EffectiveFrom:O}",
            new { rate.EffectiveFrom, UsdPerGpuHour = replaced }, new { rate.EffectiveFrom, rate.UsdPerGpuHour });
        try
        {
            await db.SaveChangesAsync(ct);
            return rate;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new ConflictException("A rate already takes effect at that time.");
        }
    }
}
