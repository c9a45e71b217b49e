using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class OverviewTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_utilization_chart_shows_the_seeded_samples_as_the_api_reports_them()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.FinanceKey);
        var figure = console.Page.Locator("figure[data-chart='utilization']");
        await console.Page.Locator("figure[data-chart='utilization'][data-drawn]").WaitForAsync();
        var chart = await console.ChartAsync("utilization");
        var source = await figure.GetAttributeAsync("data-source");

        using var api = fixture.Site.Api(fixture.Site.FinanceKey);
        var report = (await api.GetFromJsonAsync<JsonObject>(source!))!;
        var buckets = report["buckets"]!.AsArray();
        Assert.True(buckets.Count >= 6, $"three hours of samples of two models give at least six buckets, not {buckets.Count}");
        Assert.Equal(buckets.Select(b => b!["start"]!.GetValue<string>()).Distinct().Order(), chart.Keys.Order());
        foreach (var bucket in buckets)
        {
            var row = chart[bucket!["start"]!.GetValue<string>()];
            var model = bucket["gpuModel"]!.GetValue<string>();
            Assert.Equal(bucket["usedGpuHours"]!.GetValue<decimal>(), row[$"{model} used"]);
            Assert.Equal(bucket["availableGpuHours"]!.GetValue<decimal>(), row[$"{model} available"]);
        }
        Assert.Contains(chart.Values, r => r["H100-80GB used"] > 0);
        var idle = await console.Page.Locator("[data-tile='idle-cost'] .tile-value").TextContentAsync();
        Assert.Equal("$" + report["idleCostUsd"]!.GetValue<decimal>().ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture), idle);
        await console.ScreenshotAsync("overview-finance");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Spend_against_budgets_and_the_queue_match_the_api()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        await page.Locator("figure[data-chart='spend-by-team'][data-drawn]").WaitForAsync();
        var chart = await console.ChartAsync("spend-by-team");

        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        var summary = (await api.GetFromJsonAsync<JsonObject>("/v1/reports/summary"))!;
        var teams = summary["teams"]!.AsArray();
        Assert.Contains(teams, t => t!["team"]!.GetValue<string>() == "vision" && t["costUsd"]!.GetValue<decimal>() > 0);
        foreach (var team in teams)
        {
            var row = chart[team!["team"]!.GetValue<string>()];
            Assert.Equal(team["costUsd"]!.GetValue<decimal>(), row["This month"]);
            Assert.Equal(team["budget"]?["hardLimitUsd"]?.GetValue<decimal>(), row["Budget (hard limit)"]);
        }
        var pending = (await api.GetFromJsonAsync<JsonObject>("/v1/jobs?state=pending&limit=500"))!["items"]!.AsArray();
        Assert.NotEmpty(pending);
        await Assertions.Expect(page.Locator("[data-tile='queue-length'] .tile-value")).ToHaveTextAsync(pending.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bursting = (await api.GetFromJsonAsync<JsonObject>("/v1/bursting"))!;
        await Assertions.Expect(page.Locator("[data-tile='kill-switch'] .tile-value"))
            .ToHaveTextAsync(bursting["running"]!.GetValue<bool>() ? "Bursting runs" : "Stopped");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Cloud_gpus_running_by_provider_and_market_match_the_instances_api()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        using var response = await api.GetAsync("/v1/instances?limit=500");
        response.EnsureSuccessStatusCode();
        var running = (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Where(i => i!["state"]!.GetValue<string>() == "running").ToList();
        Assert.NotEmpty(running);
        await page.Locator("figure[data-chart='cloud-gpus'][data-drawn]").WaitForAsync();
        var chart = await console.ChartAsync("cloud-gpus");
        var expected = running.GroupBy(i => (Provider: i!["provider"]!.GetValue<string>(), Market: i["market"]!.GetValue<string>()))
            .ToDictionary(g => g.Key, g => (decimal)g.Sum(i => i!["gpus"]!.GetValue<int>()));
        var shown = chart.SelectMany(row => row.Value.Where(v => v.Value > 0).Select(v => KeyValuePair.Create((row.Key, v.Key), v.Value!.Value)))
            .ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(expected.OrderBy(e => e.Key), shown.OrderBy(e => e.Key));
        await Assertions.Expect(page.Locator("[data-tile='cloud-gpus'] .tile-value"))
            .ToHaveTextAsync(expected.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
