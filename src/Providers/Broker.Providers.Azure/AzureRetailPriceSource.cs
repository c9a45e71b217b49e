using System.Net.Http.Json;
using Broker.Core.Capacity;

namespace Broker.Providers.Azure;

/// <summary>
/// Live Linux VM prices from the public, unauthenticated Azure Retail Prices API: one filtered query per region and
/// size, following NextPageLink. Spot meters are named "... Spot"; "Low Priority" meters (the retired predecessor),
/// Windows products, reservations and dev/test rates are skipped.
/// </summary>
public sealed class AzureRetailPriceSource(HttpClient http, AzureOptions options, TimeProvider clock) : IPriceSource
{
    public const string ApiVersion = "2023-01-01-preview";
    private const int MaxPages = 50;

    public string Provider => "azure";

    public async Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken)
    {
        var observedAt = clock.GetUtcNow();
        var quotes = new List<PriceQuote>();
        foreach (var key in wanted.Distinct())
        {
            var items = await FetchItemsAsync(key, cancellationToken);
            quotes.AddRange(items
                .Where(item => item.RetailPrice > 0)
                .GroupBy(MarketOf)
                .Select(g => new PriceQuote(Provider, key.Region, null, key.InstanceType, g.Key, g.Min(item => item.RetailPrice), observedAt)));
        }
        return quotes;
    }

    private async Task<List<RetailPriceItem>> FetchItemsAsync(PriceKey key, CancellationToken cancellationToken)
    {
        var items = new List<RetailPriceItem>();
        var next = FirstPage(key);
        for (var page = 0; next is not null; page++)
        {
            if (page == MaxPages)
            {
                throw new InvalidOperationException($"Azure Retail Prices returned more than {MaxPages} pages for {key}.");
            }
            var body = await http.GetFromJsonAsync<RetailPricePage>(next, cancellationToken)
                ?? throw new InvalidOperationException("Azure Retail Prices returned an empty body.");
            items.AddRange(body.Items?.Where(i => Matches(i, key)) ?? []);
            next = string.IsNullOrEmpty(body.NextPageLink) ? null : new Uri(options.RetailPricesEndpoint, body.NextPageLink);
        }
        return items;
    }

    private Uri FirstPage(PriceKey key)
    {
        // Filter values are case-sensitive since 2023-01-01-preview: ARM region names are lower case, sizes as ARM spells them.
        var filter = $"serviceName eq 'Virtual Machines' and priceType eq 'Consumption' " +
            $"and armRegionName eq '{Quote(key.Region.ToLowerInvariant())}' and armSkuName eq '{Quote(key.InstanceType)}'";
        return new Uri($"{options.RetailPricesEndpoint}?api-version={ApiVersion}&$filter={Uri.EscapeDataString(filter)}");
    }

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    private static bool Matches(RetailPriceItem item, PriceKey key) =>
        string.Equals(item.ArmRegionName, key.Region, StringComparison.OrdinalIgnoreCase)
        && string.Equals(item.ArmSkuName, key.InstanceType, StringComparison.OrdinalIgnoreCase)
        && item.IsPrimaryMeterRegion != false
        && (item.CurrencyCode ?? "USD") == "USD"
        && (item.Type ?? "Consumption") == "Consumption"
        && item.UnitOfMeasure == "1 Hour"
        && !Contains(item.ProductName, "Windows")
        && !Contains(item.MeterName, "Low Priority");

    private static CapacityType MarketOf(RetailPriceItem item) =>
        Contains(item.MeterName, "Spot") ? CapacityType.Spot : CapacityType.OnDemand;

    private static bool Contains(string? text, string word) => text?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false;
}
