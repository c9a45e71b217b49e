using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Broker.Core.Capacity;

/// <summary>
/// Loads the seed catalog into the <c>offers</c> table. One <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c>
/// statement: replicas starting at the same time both run it and the natural-key index lets only one copy of each row in.
/// </summary>
public sealed class OfferSeeder(BrokerDbContext db, TimeProvider clock)
{
    /// <summary>Inserts the offers when the table is empty; returns how many rows were inserted.</summary>
    public async Task<int> SeedIfEmptyAsync(IReadOnlyList<CatalogOffer> offers, CancellationToken ct) =>
        await db.Offers.AnyAsync(ct) ? 0 : await InsertMissingAsync(offers, ct);

    /// <summary>Inserts every offer whose natural key is not in the table yet; rows already there are left as they are.</summary>
    public Task<int> InsertMissingAsync(IReadOnlyList<CatalogOffer> offers, CancellationToken ct)
    {
        if (offers.Count == 0)
        {
            return Task.FromResult(0);
        }
        (string Property, NpgsqlDbType Type, object Values)[] columns =
        [
            (nameof(Offer.Provider), NpgsqlDbType.Text, offers.Select(o => o.Provider).ToArray()),
            (nameof(Offer.Region), NpgsqlDbType.Text, offers.Select(o => o.Region).ToArray()),
            (nameof(Offer.Zone), NpgsqlDbType.Text, offers.Select(o => o.Zone).ToArray()),
            (nameof(Offer.InstanceType), NpgsqlDbType.Text, offers.Select(o => o.InstanceType).ToArray()),
            (nameof(Offer.GpuModel), NpgsqlDbType.Text, offers.Select(o => o.GpuModel).ToArray()),
            (nameof(Offer.GpuCount), NpgsqlDbType.Integer, offers.Select(o => o.GpuCount).ToArray()),
            (nameof(Offer.GpuMemoryGb), NpgsqlDbType.Double, offers.Select(o => o.GpuMemoryGb).ToArray()),
            (nameof(Offer.VCpus), NpgsqlDbType.Integer, offers.Select(o => o.VCpus).ToArray()),
            (nameof(Offer.MemoryGb), NpgsqlDbType.Double, offers.Select(o => o.MemoryGb).ToArray()),
            (nameof(Offer.OnDemandPerHour), NpgsqlDbType.Numeric, offers.Select(o => o.OnDemandPerHour).ToArray()),
            (nameof(Offer.SpotPerHour), NpgsqlDbType.Numeric, offers.Select(o => o.SpotPerHour).ToArray()),
            (nameof(Offer.SpotInterruptionPerHour), NpgsqlDbType.Double, offers.Select(o => o.SpotInterruptionPerHour).ToArray()),
            (nameof(Offer.SpotInterruptionPriorPerHour), NpgsqlDbType.Double, offers.Select(o => o.SpotInterruptionPriorPerHour).ToArray()),
            (nameof(Offer.ObservedInterruptions), NpgsqlDbType.Integer, new int[offers.Count]),
            (nameof(Offer.SpotInstanceHours), NpgsqlDbType.Double, new double[offers.Count]),
            (nameof(Offer.Available), NpgsqlDbType.Boolean, offers.Select(o => o.Available).ToArray()),
            (nameof(Offer.PricesAsOf), NpgsqlDbType.Date, offers.Select(o => o.PricesAsOf).ToArray()),
        ];
        var entity = db.Model.FindEntityType(typeof(Offer))!;
        var names = columns.Select(c => entity.FindProperty(c.Property)!.GetColumnName()).ToList();
        var parameters = columns.Select((c, i) => new NpgsqlParameter($"p{i}", NpgsqlDbType.Array | c.Type) { Value = c.Values })
            .Append(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = PostgresTime.Now(clock) })
            .ToArray<object>();
        var sql = $"""
            INSERT INTO {entity.GetTableName()} ({string.Join(", ", names)}, {entity.FindProperty(nameof(Offer.UpdatedAt))!.GetColumnName()})
            SELECT u.*, @now FROM unnest({string.Join(", ", columns.Select((_, i) => $"@p{i}"))}) AS u
            ON CONFLICT DO NOTHING
            """;
        return db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
    }
}
