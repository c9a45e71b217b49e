namespace Broker.Core.Capacity;

/// <summary>One price refresh of one provider, successful or not (table <c>price_refreshes</c>).</summary>
public sealed class PriceRefreshRun
{
    public const int MaxReasonLength = 1000;

    public long Id { get; set; }
    public required string Provider { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Succeeded { get; set; }
    public int OffersUpdated { get; set; }
    public int QuotesApplied { get; set; }
    /// <summary>Quotes for offers the catalog does not know.</summary>
    public int QuotesUnknown { get; set; }
    /// <summary>Quotes with a non-positive price or the on-prem market.</summary>
    public int QuotesRejected { get; set; }
    /// <summary>Why the refresh failed; the last good prices were kept.</summary>
    public string? Reason { get; set; }

    public static string? Shorten(string? reason) =>
        reason is { Length: > MaxReasonLength } ? reason[..(MaxReasonLength - 1)] + "…" : reason;
}
