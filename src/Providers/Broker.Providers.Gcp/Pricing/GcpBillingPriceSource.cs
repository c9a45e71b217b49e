using System.Net.Http.Headers;
using System.Net.Http.Json;
using Broker.Core.Capacity;
using Broker.Providers.Gcp.Auth;
using Broker.Providers.Gcp.Compute;

namespace Broker.Providers.Gcp.Pricing;

/// <summary>
/// Live GCP prices from the Cloud Billing Catalog (Compute Engine service <c>6F81-5844-456A</c>), summed per machine shape
/// (see <see cref="GcpMachineShapes"/>). Authenticates with <see cref="GcpOptions.BillingApiKey"/> when set, otherwise with
/// a bearer token. Throws on any failed page, so the refresher keeps the last good prices.
/// </summary>
public sealed class GcpBillingPriceSource(HttpClient http, IGcpAccessTokenProvider tokens, GcpOptions options, TimeProvider clock)
    : IPriceSource
{
    public const string ComputeEngineServiceId = "6F81-5844-456A";

    public string Provider => GcpErrorMap.Provider;

    public async Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken)
    {
        var priced = wanted.Select(k => (Key: k, Shape: GcpMachineShapes.Find(k.InstanceType)))
            .Where(p => p.Shape is not null)
            .ToList();
        if (priced.Count == 0)
        {
            return [];
        }
        var rates = new GcpSkuRates(priced.Select(p => p.Shape!.Skus).Distinct());
        await foreach (var sku in ReadSkusAsync(cancellationToken))
        {
            rates.Add(sku);
        }
        var observedAt = clock.GetUtcNow();
        var quotes = new List<PriceQuote>();
        foreach (var (key, shape) in priced)
        {
            foreach (var market in (CapacityType[])[CapacityType.OnDemand, CapacityType.Spot])
            {
                if (rates.PriceOf(shape!, market, key.Region) is { } price)
                {
                    quotes.Add(new PriceQuote(Provider, key.Region, null, key.InstanceType, market, price, observedAt));
                }
            }
        }
        return quotes;
    }

    private async IAsyncEnumerable<BillingSku> ReadSkusAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? pageToken = null;
        do
        {
            var page = await ReadPageAsync(pageToken, cancellationToken);
            foreach (var sku in page.Skus ?? [])
            {
                yield return sku;
            }
            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    private async Task<BillingSkuPage> ReadPageAsync(string? pageToken, CancellationToken cancellationToken)
    {
        var query = "currencyCode=USD";
        if (!string.IsNullOrEmpty(pageToken))
        {
            query += "&pageToken=" + Uri.EscapeDataString(pageToken);
        }
        if (!string.IsNullOrEmpty(options.BillingApiKey))
        {
            query += "&key=" + Uri.EscapeDataString(options.BillingApiKey);
        }
        var baseUrl = options.BillingBaseUrl.ToString().TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/v1/services/{ComputeEngineServiceId}/skus?{query}");
        if (string.IsNullOrEmpty(options.BillingApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAccessTokenAsync(cancellationToken));
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The message carries Google's error text only, never the request URL with its key.
            throw await GcpApiException.FromResponseAsync(response, clock, cancellationToken);
        }
        return await response.Content.ReadFromJsonAsync<BillingSkuPage>(GcpJson.Options, cancellationToken)
            ?? throw new InvalidOperationException("empty SKU page from the Cloud Billing Catalog");
    }
}
