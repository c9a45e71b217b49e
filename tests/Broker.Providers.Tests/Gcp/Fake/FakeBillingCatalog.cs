using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>
/// The Cloud Billing Catalog's services.skus.list for Compute Engine, served in <see cref="Pages"/> (token = page index).
/// Requires <c>currencyCode=USD</c>; accepts the bearer token or <see cref="ApiKey"/>.
/// </summary>
internal sealed class FakeBillingCatalog
{
    public const string ApiKey = "fake-billing-key";
    public const string ComputeServiceId = "6F81-5844-456A";

    public List<List<JsonObject>> Pages { get; } = [];

    public IResult ListSkus(HttpContext context, string service, string? currencyCode, string? pageToken)
    {
        if (service != ComputeServiceId)
        {
            return FakeGceJson.Error(context, 404, "notFound", $"service {service} not found");
        }
        if (currencyCode != "USD")
        {
            return FakeGceJson.Error(context, 400, "badRequest", "expected currencyCode=USD");
        }
        var index = string.IsNullOrEmpty(pageToken) ? 0 : int.Parse(pageToken, CultureInfo.InvariantCulture);
        var response = new JsonObject
        {
            ["skus"] = new JsonArray(Pages.ElementAtOrDefault(index)?.Select(s => (JsonNode)s.DeepClone()).ToArray() ?? []),
        };
        if (index + 1 < Pages.Count)
        {
            response["nextPageToken"] = (index + 1).ToString(CultureInfo.InvariantCulture);
        }
        return Results.Json(response);
    }

    /// <summary>A SKU as the catalog returns it: one pricing info, one tier, price as units + nanos.</summary>
    public static JsonObject Sku(string description, string resourceGroup, string usageType, string usageUnit, decimal price,
        params string[] regions)
    {
        var units = decimal.Truncate(price);
        var nanos = (int)((price - units) * 1_000_000_000m);
        return new JsonObject
        {
            ["name"] = $"services/{ComputeServiceId}/skus/{Math.Abs(description.GetHashCode(StringComparison.Ordinal)):X}",
            ["skuId"] = $"{Math.Abs(description.GetHashCode(StringComparison.Ordinal)):X}",
            ["description"] = description,
            ["category"] = new JsonObject
            {
                ["serviceDisplayName"] = "Compute Engine",
                ["resourceFamily"] = "Compute",
                ["resourceGroup"] = resourceGroup,
                ["usageType"] = usageType,
            },
            ["serviceRegions"] = new JsonArray(regions.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
            ["pricingInfo"] = new JsonArray(new JsonObject
            {
                ["effectiveTime"] = "2026-07-30T00:00:00Z",
                ["pricingExpression"] = new JsonObject
                {
                    ["usageUnit"] = usageUnit,
                    ["tieredRates"] = new JsonArray(new JsonObject
                    {
                        ["startUsageAmount"] = 0,
                        ["unitPrice"] = new JsonObject
                        {
                            ["currencyCode"] = "USD",
                            ["units"] = units.ToString(CultureInfo.InvariantCulture),
                            ["nanos"] = nanos,
                        },
                    }),
                },
            }),
            ["serviceProviderName"] = "Google",
        };
    }
}
