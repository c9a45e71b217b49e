using System.Collections.Concurrent;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Capacity;

/// <summary>
/// Remembers capacity errors for a while (after Karpenter's unavailable-offerings cache): an offer is blocked when a block
/// of its own scope, or of a wider one (zone, region, provider), is still live. With a <see cref="SharedStateScope"/> the
/// blocks live in PostgreSQL (<c>offer_blocks</c>), so every replica honours a block any of them found: a block is written
/// through at once, and <see cref="RefreshAsync"/> (at the start of each placement pass, before each cloud create and on
/// each API read) brings in the other replicas' blocks. Without one (unit tests) it is this process's memory only.
/// </summary>
public sealed class UnavailableOfferCache(TimeProvider clock, TimeSpan ttl, SharedStateScope? shared = null)
{
    private const int MaxReason = 200;
    private readonly ConcurrentDictionary<string, OfferBlock> blocks = new(StringComparer.Ordinal);

    public TimeSpan Ttl => ttl;

    /// <summary>Blocks the offer's scope for the TTL, here and (when shared) for every replica. Returns once it is written.</summary>
    public async Task BlockAsync(OfferKey offer, BlockScope scope, string reason, CancellationToken ct)
    {
        if (scope == BlockScope.None)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var key = ScopeKey(offer, scope);
        var block = new OfferBlock(scope, reason.Length > MaxReason ? reason[..MaxReason] : reason, now + ttl);
        Merge(key, block);
        if (shared is null)
        {
            return;
        }
        try
        {
            await shared.RunAsync(db => db.Database.ExecuteSqlAsync($"""
                INSERT INTO offer_blocks (key, scope, reason, until, blocked_at)
                VALUES ({key}, {scope.ToString()}, {block.Reason}, {block.Until}, {now})
                ON CONFLICT (key) DO UPDATE SET
                    reason = CASE WHEN excluded.until >= offer_blocks.until THEN excluded.reason ELSE offer_blocks.reason END,
                    until = GREATEST(offer_blocks.until, excluded.until), blocked_at = excluded.blocked_at
                """, ct));
            // Blocks long over are forgotten here, by whoever blocks next.
            await shared.RunAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM offer_blocks WHERE until < {now - TimeSpan.FromHours(1)}", ct));
        }
        catch (Exception e) when (SharedStateScope.IsDatabaseFault(e))
        {
            // The block still holds in this process; the others learn of it from the next capacity error they meet.
        }
    }

    /// <summary>Reads the live blocks every replica wrote; false (and the last view kept) while the database cannot be read.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct)
    {
        if (shared is null)
        {
            return true;
        }
        var now = clock.GetUtcNow();
        try
        {
            var live = await shared.RunAsync(db => db.OfferBlocks.AsNoTracking().Where(b => b.Until > now).ToListAsync(ct));
            foreach (var row in live)
            {
                Merge(row.Key, new OfferBlock(row.Scope, row.Reason, row.Until));
            }
            return true;
        }
        catch (Exception e) when (SharedStateScope.IsDatabaseFault(e))
        {
            return false;
        }
    }

    /// <summary>The live block that rules this offer out, or null.</summary>
    public OfferBlock? Find(OfferKey offer)
    {
        var now = clock.GetUtcNow();
        foreach (var scope in (ReadOnlySpan<BlockScope>)[BlockScope.Offering, BlockScope.Zone, BlockScope.Region, BlockScope.Provider])
        {
            var key = ScopeKey(offer, scope);
            if (blocks.TryGetValue(key, out var block))
            {
                if (block.Until > now)
                {
                    return block;
                }
                blocks.TryRemove(new KeyValuePair<string, OfferBlock>(key, block));
            }
        }
        return null;
    }

    public bool IsBlocked(OfferKey offer) => Find(offer) is not null;

    public IReadOnlyList<KeyValuePair<string, OfferBlock>> Live()
    {
        var now = clock.GetUtcNow();
        return blocks.Where(b => b.Value.Until > now).OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>A block only ever extends what is known of its scope.</summary>
    private void Merge(string key, OfferBlock block) =>
        blocks.AddOrUpdate(key, block, (_, known) => known.Until >= block.Until ? known : block);

    private static string ScopeKey(OfferKey o, BlockScope scope) => scope switch
    {
        BlockScope.Offering => $"offering:{o.Provider}/{o.Region}/{o.Zone ?? "-"}/{o.InstanceType}/{o.Market}",
        BlockScope.Zone => $"zone:{o.Provider}/{o.Region}/{o.Zone ?? "-"}",
        BlockScope.Region => $"region:{o.Provider}/{o.Region}",
        BlockScope.Provider => $"provider:{o.Provider}",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    public sealed record OfferBlock(BlockScope Scope, string Reason, DateTimeOffset Until);
}
