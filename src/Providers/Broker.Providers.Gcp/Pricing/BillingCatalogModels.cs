namespace Broker.Providers.Gcp.Pricing;

// Cloud Billing Catalog v1 services.skus.list, only the fields the price source reads.

public sealed record BillingSkuPage(IReadOnlyList<BillingSku>? Skus, string? NextPageToken);

public sealed record BillingSku(
    string? SkuId,
    string? Description,
    BillingCategory? Category,
    IReadOnlyList<string>? ServiceRegions,
    IReadOnlyList<BillingPricingInfo>? PricingInfo);

/// <summary><c>usageType</c> is <c>OnDemand</c>, <c>Preemptible</c> (spot) or a commitment such as <c>Commit1Yr</c>.</summary>
public sealed record BillingCategory(string? ResourceFamily, string? ResourceGroup, string? UsageType);

public sealed record BillingPricingInfo(BillingPricingExpression? PricingExpression);

public sealed record BillingPricingExpression(string? UsageUnit, IReadOnlyList<BillingTieredRate>? TieredRates);

public sealed record BillingTieredRate(double StartUsageAmount, BillingMoney? UnitPrice);

/// <summary>google.type.Money: <c>units</c> (int64, sent as a string) plus <c>nanos</c> (10^-9 units).</summary>
public sealed record BillingMoney(string? CurrencyCode, long Units, int Nanos)
{
    public decimal Amount => Units + Nanos / 1_000_000_000m;
}
