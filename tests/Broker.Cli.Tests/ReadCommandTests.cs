using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Broker.Cli.Tests;

/// <summary><c>jobs</c>, <c>cost</c> and <c>offers</c>: tables for people, Broker's own JSON with <c>--json</c>.</summary>
[Collection(CliCollection.Name)]
public sealed class ReadCommandTests(CliBroker broker)
{
    [Fact]
    public async Task Jobs_lists_the_teams_jobs_with_filters_and_pages()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-list");
        foreach (var name in new[] { "first", "second", "third" })
        {
            Assert.Equal(ExitCodes.Ok, (await user.RunAsync("submit", JobFiles.Cloud(name, 30))).Exit);
        }
        var cancelled = JsonNode.Parse((await user.RunAsync("jobs", "--json", "--limit", "1")).Out)!["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(ExitCodes.Ok, (await user.RunAsync("cancel", cancelled)).Exit);

        var table = await user.RunAsync("jobs");
        var page = await user.RunAsync("jobs", "--limit", "2");
        var all = JsonNode.Parse((await user.RunAsync("jobs", "--limit", "2", "--all", "--json")).Out)!;
        var onlyCancelled = JsonNode.Parse((await user.RunAsync("jobs", "--state", "cancelled", "--json")).Out)!;
        var badState = await user.RunAsync("jobs", "--state", "sleeping");

        Assert.True(table.Exit == ExitCodes.Ok, table.ToString());
        Assert.All(new[] { "first", "second", "third", "cancelled", "pending" }, s => Assert.Contains(s, table.Out, StringComparison.Ordinal));
        Assert.Contains("More: broker jobs --cursor ", page.Out, StringComparison.Ordinal);
        Assert.Equal(["third", "second", "first"], all["items"]!.AsArray().Select(j => j!["name"]!.GetValue<string>()));
        Assert.Equal([cancelled], onlyCancelled["items"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));
        Assert.Equal(ExitCodes.Refused, badState.Exit);
        Assert.Matches(@"(?m)^  state: Unknown state 'sleeping'", badState.Error);
    }

    [Fact]
    public async Task Cost_shows_the_teams_month_against_its_budget()
    {
        var user = broker.NewUser();
        var key = await user.LoginAsync("submitter", "cli-cost");
        using (var finance = broker.ClientWithKey(await broker.CreateKeyAsync("finance")))
        {
            (await finance.PutAsJsonAsync("/v1/budgets/cli-cost", new { amountUsd = 1234, softPercent = 80, hardPercent = 100 })).EnsureSuccessStatusCode();
        }

        var table = await user.RunAsync("cost");
        var json = await user.RunAsync("cost", "--json");
        var badMonth = await user.RunAsync("cost", "--month", "2026-13");

        Assert.True(table.Exit == ExitCodes.Ok, table.ToString());
        Assert.Contains("cli-cost", table.Out, StringComparison.Ordinal);
        Assert.Contains("$1,234.00/monthly", table.Out, StringComparison.Ordinal);
        var summary = JsonNode.Parse(json.Out)!;
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), summary["month"]!.GetValue<string>());
        Assert.Equal(["cli-cost"], summary["teams"]!.AsArray().Select(t => t!["team"]!.GetValue<string>()));
        Assert.Equal(ExitCodes.Refused, badMonth.Exit);
        Assert.Contains("month:", badMonth.Error, StringComparison.Ordinal);
        Assert.NotEmpty(key);
    }

    [Fact]
    public async Task Offers_lists_the_catalog_cheapest_gpu_hour_first_with_filters()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-offers");

        var json = JsonNode.Parse((await user.RunAsync("offers", "--gpu-model", "H100-80GB", "--market", "ondemand", "--limit", "5", "--json")).Out)!;
        var table = await user.RunAsync("offers", "--gpu-model", "A10G", "--limit", "3");
        var unknown = await user.RunAsync("offers", "--gpu-model", "Z9000");

        var items = json["items"]!.AsArray();
        Assert.InRange(items.Count, 1, 5);
        Assert.All(items, o => Assert.Equal(("H100-80GB", "ondemand"), (o!["gpuModel"]!.GetValue<string>(), o["market"]!.ToString().ToLowerInvariant())));
        var prices = items.Select(o => o!["pricePerGpuHour"]!.GetValue<decimal>()).ToList();
        Assert.Equal(prices.Order(), prices);
        Assert.True(table.Exit == ExitCodes.Ok, table.ToString());
        Assert.Contains("A10G", table.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, unknown.Exit);
        Assert.Contains("gpuModel: Unknown GPU model 'Z9000'", unknown.Error, StringComparison.Ordinal);
    }
}
