using Broker.Core.Provisioning;

namespace Broker.Core.Capacity;

/// <summary>
/// A capacity block shared by every replica (table <c>offer_blocks</c>): the scope key of <see cref="UnavailableOfferCache"/>
/// (<c>zone:aws/us-east-1/us-east-1a</c>), why, and until when. A later block of the same scope only ever extends it.
/// </summary>
public sealed class OfferBlockRecord
{
    public string Key { get; set; } = "";

    public BlockScope Scope { get; set; }

    public string Reason { get; set; } = "";

    public DateTimeOffset Until { get; set; }

    public DateTimeOffset BlockedAt { get; set; }
}
