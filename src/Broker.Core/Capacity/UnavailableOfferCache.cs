using System.Collections.Concurrent;
using Broker.Core.Provisioning;

namespace Broker.Core.Capacity;

/// <summary>
/// Remembers capacity errors for a while (after Karpenter's unavailable-offerings cache): an offer is blocked when a block
/// of its own scope, or of a wider one (zone, region, provider), is still live.
/// </summary>
public sealed class UnavailableOfferCache(TimeProvider clock, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, OfferBlock> blocks = new(StringComparer.Ordinal);

    public TimeSpan Ttl => ttl;

    public void Block(OfferKey offer, BlockScope scope, string reason)
    {
        if (scope == BlockScope.None)
        {
            return;
        }
        var until = clock.GetUtcNow() + ttl;
        blocks[ScopeKey(offer, scope)] = new OfferBlock(scope, reason, until);
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
