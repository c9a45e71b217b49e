using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Offers;

public sealed class OfferListTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Filters_keep_only_matching_rows_cheapest_GPU_hour_first()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "offers"));

        var items = await ItemsAsync(client, "/v1/offers?gpuModel=h100&minGpus=8&market=spot&limit=1000");

        await using var db = app.NewDbContext();
        var expected = await db.Offers.Where(o => o.GpuModel == GpuModels.H100_80GB && o.GpuCount >= 8 && o.SpotPerHour != null)
            .Select(o => o.SpotPerHour!.Value / o.GpuCount).ToListAsync();
        Assert.Equal(expected.Count, items.Count);
        Assert.All(items, i => Assert.Equal(("H100-80GB", "spot"), (i.Str("gpuModel"), i.Str("market"))));
        Assert.All(items, i => Assert.True(Int(i, "gpuCount") >= 8));
        AssertCheapestFirst(items);
        Assert.Equal(Math.Round(expected.Min(), 6), Dec(items[0], "pricePerGpuHour"));
        Assert.Equal(Dec(items[0], "pricePerHour") / Int(items[0], "gpuCount"), Dec(items[0], "pricePerGpuHour"), 6);
    }

    [Fact]
    public async Task Provider_and_region_filters_list_both_markets_and_only_spot_rows_carry_an_interruption_estimate()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        var items = await ItemsAsync(client, "/v1/offers?provider=GCP&region=us-central1&gpuModel=H100-80GB");

        Assert.Equal(8, items.Count);
        Assert.All(items, i => Assert.Equal(("gcp", "us-central1"), (i.Str("provider"), i.Str("region"))));
        Assert.Equal(["ondemand", "spot"], items.Select(i => i.Str("market")).Distinct().Order());
        Assert.All(items.Where(i => i.Str("market") == "spot"), i => Assert.True(i["interruptionsPerHour"]!.GetValue<double>() > 0));
        Assert.All(items.Where(i => i.Str("market") == "ondemand"), i => Assert.Null(i["interruptionsPerHour"]));
        Assert.All(items, i => Assert.False(i["blocked"]!.GetValue<bool>()));
        AssertCheapestFirst(items);
    }

    [Fact]
    public async Task Limit_defaults_to_100_and_a_smaller_limit_returns_the_cheapest_prefix()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var byDefault = await ItemsAsync(client, "/v1/offers");
        var five = await ItemsAsync(client, "/v1/offers?limit=5");

        Assert.Equal(100, byDefault.Count);
        AssertCheapestFirst(byDefault);
        Assert.Equal(byDefault.Take(5).Select(Identity), five.Select(Identity));
    }

    [Theory]
    [InlineData("market=onprem", "market")]
    [InlineData("market=cheap", "market")]
    [InlineData("minGpus=0", "minGpus")]
    [InlineData("minGpus=two", "minGpus")]
    [InlineData("gpuModel=Z9000", "gpuModel")]
    [InlineData("provider=ibm", "provider")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    public async Task Invalid_query_values_are_a_400_naming_the_field(string query, string field)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "offers"));

        using var response = await client.GetAsync($"/v1/offers?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Offers_need_an_api_key()
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync("/v1/offers");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    internal static async Task<List<JsonObject>> ItemsAsync(HttpClient client, string url)
    {
        var body = await client.GetFromJsonAsync<JsonObject>(url);
        return [.. body!["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    internal static decimal Dec(JsonObject item, string name) => item[name]!.GetValue<decimal>();

    private static int Int(JsonObject item, string name) => item[name]!.GetValue<int>();

    private static string Identity(JsonObject i) => $"{i.Str("provider")}/{i.Str("region")}/{i.Str("instanceType")}/{i.Str("market")}";

    private static void AssertCheapestFirst(List<JsonObject> items)
    {
        for (var i = 1; i < items.Count; i++)
        {
            Assert.True(Dec(items[i - 1], "pricePerGpuHour") <= Dec(items[i], "pricePerGpuHour"),
                $"row {i} ({Identity(items[i])}) is cheaper than row {i - 1}");
        }
    }
}
