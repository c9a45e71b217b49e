using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Azure;

/// <summary>A loopback Azure Retail Prices API serving two pages joined by NextPageLink, recording each query string.</summary>
internal sealed class FakeRetailPrices : IAsyncDisposable
{
    private readonly List<string> queries = [];
    private LoopbackHost? host;

    public Uri Endpoint => new(host!.Address, "api/retail/prices");

    public IReadOnlyList<string> Queries
    {
        get { lock (queries) { return queries.ToList(); } }
    }

    public static async Task<FakeRetailPrices> StartAsync()
    {
        var fake = new FakeRetailPrices();
        fake.host = await LoopbackHost.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync() => host?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.QueryString.Value ?? "";
        lock (queries)
        {
            queries.Add(query);
        }
        var region = "eastus";
        var sku = "Standard_NC24ads_A100_v4";
        JsonObject page = context.Request.Query.ContainsKey("$skip")
            ? Page(null,
                Item(region, sku, "NC24ads A100 v4 Spot", "Virtual Machines NCadsA100v4 Series", 1.34776m),
                Item(region, sku, "NC24ads A100 v4 Spot", "Virtual Machines NCadsA100v4 Series Windows", 2.1m),
                Item("westus2", sku, "NC24ads A100 v4 Spot", "Virtual Machines NCadsA100v4 Series", 0.9m))
            : Page($"{Endpoint}{query}&$skip=100",
                Item(region, sku, "NC24ads A100 v4", "Virtual Machines NCadsA100v4 Series", 3.673m),
                Item(region, sku, "NC24ads A100 v4", "Virtual Machines NCadsA100v4 Series Windows", 4.409m),
                Item(region, sku, "NC24ads A100 v4 Low Priority", "Virtual Machines NCadsA100v4 Series", 0.7346m),
                Item(region, sku, "NC24ads A100 v4", "Virtual Machines NCadsA100v4 Series", 2.2m, type: "Reservation", unit: "1 Hour"));
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(page.ToJsonString());
    }

    private static JsonObject Page(string? next, params JsonObject[] items) => new()
    {
        ["BillingCurrency"] = "USD",
        ["CustomerEntityId"] = "Default",
        ["CustomerEntityType"] = "Retail",
        ["Items"] = new JsonArray(items),
        ["NextPageLink"] = next,
        ["Count"] = items.Length,
    };

    private static JsonObject Item(string region, string sku, string meter, string product, decimal price, string type = "Consumption", string unit = "1 Hour") => new()
    {
        ["currencyCode"] = "USD",
        ["tierMinimumUnits"] = 0.0,
        ["retailPrice"] = price,
        ["unitPrice"] = price,
        ["armRegionName"] = region,
        ["location"] = "US East",
        ["effectiveStartDate"] = "2024-05-01T00:00:00Z",
        ["meterName"] = meter,
        ["productName"] = product,
        ["skuName"] = meter,
        ["serviceName"] = "Virtual Machines",
        ["serviceFamily"] = "Compute",
        ["unitOfMeasure"] = unit,
        ["type"] = type,
        ["isPrimaryMeterRegion"] = true,
        ["armSkuName"] = sku,
    };
}
