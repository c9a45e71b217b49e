using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class FleetTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_fleet_page_lists_the_nodes_providers_and_instances_the_api_reports()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        await console.GoAsync("#/fleet");
        await page.Locator("table[data-table='nodes']").WaitForAsync();
        await page.Locator("figure[data-chart='node-gpus'][data-drawn]").WaitForAsync();

        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        var nodes = (await api.GetFromJsonAsync<JsonArray>("/v1/onprem/nodes"))!;
        Assert.Equal(nodes.Select(n => n!["name"]!.GetValue<string>()),
            await page.Locator("table[data-table='nodes'] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        Assert.Equal(nodes.Select(n => n!["gpuIdle"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await console.ColumnAsync("nodes", "Idle"));
        var providers = (await api.GetFromJsonAsync<JsonObject>("/v1/providers"))!["items"]!.AsArray();
        Assert.Equal(providers.Select(p => p!["health"]!["status"]!.GetValue<string>()), await console.ColumnAsync("providers", "Health"));

        using var instances = await api.GetAsync("/v1/instances?limit=500");
        instances.EnsureSuccessStatusCode();
        var items = (await instances.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        var rows = page.Locator("#cloud-instances table[data-table='instances'] tbody tr");
        Assert.NotEmpty(items);
        Assert.Equal(items.Select(i => i!["id"]!.GetValue<string>()), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        Assert.Equal(items.Select(i => i!["ageSeconds"]!.GetValue<decimal>() > 0), (await console.ColumnAsync("instances", "Age")).Select(a => decimal.Parse(a, System.Globalization.CultureInfo.InvariantCulture) > 0));
        await console.ScreenshotAsync("fleet");
        Assert.Empty(console.Errors);
    }
}
