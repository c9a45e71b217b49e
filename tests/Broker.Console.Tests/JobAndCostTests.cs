using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class JobAndCostTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_job_opened_from_the_list_shows_the_engines_chosen_and_rejected_options()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.VisionKey);
        var page = console.Page;
        await console.GoAsync("#/jobs");
        await console.ScreenshotAsync("jobs");
        await page.Locator($"a[data-job='{fixture.Site.ExplainedJob}']").ClickAsync();
        await page.Locator("[data-chosen]").WaitForAsync();
        await page.Locator("figure[data-chart='segments-chart'][data-drawn]").WaitForAsync();

        using var api = fixture.Site.Api(fixture.Site.VisionKey);
        var job = (await api.GetFromJsonAsync<JsonObject>($"/v1/jobs/{fixture.Site.ExplainedJob}"))!;
        var placement = job["placement"]!;
        Assert.Equal(placement["chosen"]!.GetValue<string>(), await page.Locator("[data-chosen]").TextContentAsync());
        Assert.Equal(placement["action"]!.GetValue<string>(), await page.Locator("[data-decision]").GetAttributeAsync("data-decision"));
        var rejected = placement["rejected"]!.AsArray().Select(r => r!["reason"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(rejected);
        Assert.Equal(rejected, await console.ColumnAsync("rejected", "Reason"));
        Assert.Equal(job["segments"]!.AsArray().Count, await page.Locator("table[data-table='segments'] tbody tr").CountAsync());
        Assert.Equal(job["timeline"]!.AsArray().Count, await page.Locator("[data-timeline] li").CountAsync());
        await console.ScreenshotAsync("job");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task The_costs_csv_download_is_byte_for_byte_the_apis_csv_of_the_rows_shown()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.FinanceKey);
        var page = console.Page;
        await console.GoAsync("#/costs?groupBy=team,provider,market");
        var shown = page.Locator("table[data-table='costs'] tbody tr");
        await shown.First.WaitForAsync();
        foreach (var chart in new[] { "costs-team", "costs-provider", "costs-market", "costs-day" })
        {
            await page.Locator($"figure[data-chart='{chart}'][data-drawn]").WaitForAsync();
        }
        await console.ScreenshotAsync("costs");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-csv").ClickAsync());
        var file = await File.ReadAllBytesAsync((await download.PathAsync())!);
        var path = await page.Locator("#download-csv").GetAttributeAsync("data-csv");
        Assert.Contains("groupBy=team%2Cprovider%2Cmarket", path, StringComparison.Ordinal);

        using var api = fixture.Site.Api(fixture.Site.FinanceKey);
        var csv = await api.GetByteArrayAsync(path);
        Assert.Equal(csv, file);
        var lines = System.Text.Encoding.UTF8.GetString(file).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("team,provider,market,gpu_hours,cost_usd,on_demand_cost_usd,savings_usd,entries", lines[0]);
        Assert.Equal(await shown.CountAsync(), lines.Length - 1);
        var costs = await console.ColumnAsync("costs", "Cost");
        Assert.Equal(lines.Skip(1).Select(l => decimal.Parse(l.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture)),
            costs.Select(c => decimal.Parse(c, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(lines.Length - 1 >= 5, "the five seeded team/provider/market runs are all shown");
        Assert.Empty(console.Errors);
    }
}
