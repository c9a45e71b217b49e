using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Costs;
using Broker.Core.Costs.Reports;
using CsvHelper;

namespace Broker.Api.Tests.Costs;

public sealed class ReportTests(ReportsApp app) : IClassFixture<ReportsApp>, IAsyncLifetime
{
    private static readonly DateTimeOffset From = ReportsApp.Month;
    private static readonly DateTimeOffset To = ReportsApp.Month.AddMonths(1);

    public Task InitializeAsync() => app.SeedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string> Groupings => new()
    {
        "", "team", "provider", "region", "market", "instanceType", "gpuModel", "label:project", "label:costCentre", "day", "month",
        "team,market", "team,day,label:project", "provider,region,instanceType,market,gpuModel,month",
    };

    [Theory]
    [MemberData(nameof(Groupings))]
    public async Task Every_groupings_rows_and_totals_equal_the_sum_of_the_entries(string groupBy)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        // Ranges with partial days at both ends, one inside a single day, and the whole month (rollups plus tail).
        var ranges = new[] { (From, To), (From.AddHours(30.5), To.AddDays(-3).AddMinutes(-17)), (From.AddDays(4).AddHours(2), From.AddDays(4).AddHours(20)) };
        var entries = await app.AllEntriesAsync();
        var groupings = CostGrouping.TryParse([groupBy], out _)!;
        foreach (var (from, to) in ranges)
        {
            var report = await GetAsync(finance, $"/v1/reports/costs?from={Q(from)}&to={Q(to)}&groupBy={groupBy}");
            var inRange = entries.Where(e => e.StartedAt >= from && e.StartedAt < to).ToList();

            var totals = report["totals"]!;
            Assert.Equal(inRange.Sum(e => e.Cost), totals["costUsd"]!.GetValue<decimal>());
            Assert.Equal(inRange.Sum(e => e.OnDemandCost), totals["onDemandCostUsd"]!.GetValue<decimal>());
            Assert.Equal(inRange.Sum(e => e.OnDemandCost - e.Cost), totals["savingsUsd"]!.GetValue<decimal>());
            Assert.Equal(inRange.Sum(e => e.GpuHours), totals["gpuHours"]!.GetValue<decimal>());
            Assert.Equal(inRange.Count, totals["entries"]!.GetValue<long>());
            var expected = inRange.GroupBy(e => string.Join('|', groupings.Select(g => KeyOf(e, g) ?? "∅")))
                .ToDictionary(g => g.Key, g => (g.Sum(e => e.Cost), g.Count()));
            var rows = report["rows"]!.AsArray();
            Assert.Equal(expected.Count, rows.Count);
            foreach (var row in rows)
            {
                var key = string.Join('|', groupings.Select(g => row!["key"]![g.Name]?.GetValue<string>() ?? "∅"));
                Assert.Equal(expected[key], (row!["costUsd"]!.GetValue<decimal>(), row["entries"]!.GetValue<int>()));
            }
        }
    }

    [Fact]
    public async Task The_csv_download_parses_back_to_the_json_numbers_and_escapes_formulas()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var url = $"/v1/reports/costs?from={Q(From)}&to={Q(To)}&groupBy=team,label:costCentre,day";
        var json = await GetAsync(finance, url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var byAccept = await finance.SendAsync(request);
        var byFormat = await finance.GetStringAsync(url + "&format=csv");

        Assert.Equal("text/csv", byAccept.Content.Headers.ContentType?.MediaType);
        var text = await byAccept.Content.ReadAsStringAsync();
        Assert.Equal(byFormat, text);
        Assert.StartsWith("team,label:costCentre,day,gpu_hours,cost_usd,on_demand_cost_usd,savings_usd,entries\r\n", text, StringComparison.Ordinal);
        using var reader = CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(text)), CsvReaderOptions.Default);
        var rows = json["rows"]!.AsArray();
        var i = 0;
        while (await reader.ReadAsync())
        {
            var row = rows[i++]!;
            Assert.Equal(row["key"]!["team"]!.GetValue<string>(), reader.GetString(0));
            var centre = row["key"]!["label:costCentre"]!.GetValue<string>();
            Assert.Equal(centre.StartsWith('=') ? "'" + centre : centre, reader.GetString(1));
            Assert.Equal(row["gpuHours"]!.GetValue<decimal>(), decimal.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(row["costUsd"]!.GetValue<decimal>(), decimal.Parse(reader.GetString(4), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(row["onDemandCostUsd"]!.GetValue<decimal>(), decimal.Parse(reader.GetString(5), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(row["savingsUsd"]!.GetValue<decimal>(), decimal.Parse(reader.GetString(6), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(row["entries"]!.GetValue<long>(), long.Parse(reader.GetString(7), System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(rows.Count, i);
        Assert.Contains(rows, r => r!["key"]!["label:costCentre"]!.GetValue<string>().StartsWith('='));
    }

    [Fact]
    public async Task A_submitter_reads_its_own_teams_costs_only()
    {
        using var vision = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var entries = await app.AllEntriesAsync();

        var own = await GetAsync(vision, $"/v1/reports/costs?from={Q(From)}&to={Q(To)}&groupBy=team");
        using var other = await vision.GetAsync($"/v1/reports/costs?from={Q(From)}&to={Q(To)}&team=nlp");
        using var utilization = await vision.GetAsync("/v1/reports/utilization");
        var summary = await GetAsync(vision, "/v1/reports/summary?month=2026-09");

        Assert.Equal(["vision"], own["rows"]!.AsArray().Select(r => r!["key"]!["team"]!.GetValue<string>()));
        Assert.Equal(entries.Where(e => e.Team == "vision" && e.StartedAt < To).Sum(e => e.Cost), own["totals"]!["costUsd"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, utilization.StatusCode);
        Assert.Equal(["vision"], summary["teams"]!.AsArray().Select(t => t!["team"]!.GetValue<string>()));
        Assert.All(summary["topJobs"]!.AsArray(), j => Assert.Equal("vision", j!["team"]!.GetValue<string>()));
        Assert.Null(summary["idleOnPremCostUsd"]);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/v1/reports/costs?groupBy=team,wizard", "groupBy" },
        { "/v1/reports/costs?groupBy=team,team", "groupBy" },
        { "/v1/reports/costs?groupBy=label:", "groupBy" },
        { "/v1/reports/costs?groupBy=team,provider,region,market,instanceType,gpuModel,day", "groupBy" },
        { "/v1/reports/costs?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&groupBy=day", "from" },
        { "/v1/reports/costs?from=2026-09-02T00:00:00Z&to=2026-09-01T00:00:00Z", "to" },
        { "/v1/reports/costs?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to" },
        { "/v1/reports/costs?format=xml", "format" },
        { "/v1/reports/costs?team=NLP", "team" },
        { "/v1/reports/utilization?step=99999999d", "step" },
        { "/v1/reports/utilization?step=15m", "step" },
        { "/v1/reports/utilization?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&step=1h", "step" },
        { "/v1/reports/summary?month=2026-13", "month" },
        { "/v1/reports/summary?month=26-01", "month" },
        { "/v1/reports/idle?from=9999-01-01T00:00:00Z", "from" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_report_query_is_400_naming_the_field(string url, string field)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var response = await finance.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JobApi.ProblemAsync(response)).RootElement.GetProperty("errors").TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task The_summary_shows_spend_by_team_against_budget_savings_and_the_exact_top_jobs()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        (await finance.PutAsJsonAsync("/v1/budgets/nlp", new { amountUsd = 500 })).EnsureSuccessStatusCode();
        var entries = (await app.AllEntriesAsync()).Where(e => e.StartedAt >= From && e.StartedAt < To).ToList();

        var summary = await GetAsync(finance, "/v1/reports/summary?month=2026-09");

        Assert.Equal(entries.Sum(e => e.Cost), summary["costUsd"]!.GetValue<decimal>());
        Assert.Equal(entries.Sum(e => e.OnDemandCost - e.Cost), summary["savingsUsd"]!.GetValue<decimal>());
        var nlp = summary["teams"]!.AsArray().Single(t => t!["team"]!.GetValue<string>() == "nlp")!;
        Assert.Equal(entries.Where(e => e.Team == "nlp" && e.Market != Broker.Core.Capacity.CapacityType.OnPrem).Sum(e => e.Cost),
            nlp["cloudCostUsd"]!.GetValue<decimal>());
        Assert.Equal(500m, nlp["budget"]!["amountUsd"]!.GetValue<decimal>());
        var expectedTop = entries.GroupBy(e => e.JobId).Select(g => (Job: g.Key, Cost: g.Sum(e => e.Cost)))
            .OrderByDescending(j => j.Cost).ThenBy(j => j.Job).Take(10).ToList();
        Assert.Equal(expectedTop.Select(j => (j.Job.ToString(), j.Cost)),
            summary["topJobs"]!.AsArray().Select(j => (j!["jobId"]!.GetValue<string>(), j["costUsd"]!.GetValue<decimal>())));
        Assert.Equal(summary["costUsd"]!.GetValue<decimal>(), summary["forecast"]!["projectedUsd"]!.GetValue<decimal>());
        Assert.NotNull(summary["idleOnPremCostUsd"]);
    }

    [Fact]
    public async Task Utilization_shows_ledger_gpu_hours_by_market_and_the_share_served_on_prem()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var entries = (await app.AllEntriesAsync()).Where(e => e.StartedAt >= From && e.StartedAt < To).ToList();
        decimal Hours(Broker.Core.Capacity.CapacityType m) => entries.Where(e => e.Market == m).Sum(e => e.GpuHours);

        var report = await GetAsync(ops, $"/v1/reports/utilization?from={Q(From)}&to={Q(To)}&step=1d");

        var onPrem = Hours(Broker.Core.Capacity.CapacityType.OnPrem);
        Assert.Equal(onPrem, report["onPremGpuHours"]!.GetValue<decimal>());
        Assert.Equal(Hours(Broker.Core.Capacity.CapacityType.Spot), report["cloudGpuHoursByMarket"]!["spot"]!.GetValue<decimal>());
        Assert.Equal(Hours(Broker.Core.Capacity.CapacityType.OnDemand), report["cloudGpuHoursByMarket"]!["ondemand"]!.GetValue<decimal>());
        Assert.Equal(Math.Round(onPrem / entries.Sum(e => e.GpuHours), 6, MidpointRounding.ToEven), report["onPremShare"]!.GetValue<decimal>());
        Assert.Equal("1d", report["step"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reports_stay_exact_after_the_tail_is_rolled_up()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var url = $"/v1/reports/costs?from={Q(From.AddHours(7))}&to={Q(To)}&groupBy=team,market,day";
        var before = (await GetAsync(finance, url)).ToJsonString();

        await app.WithScopeAsync(s => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<LedgerRollup>(s).RollUpAsync(default));
        var after = (await GetAsync(finance, url)).ToJsonString();

        Assert.Equal(before, after);
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    private static string? KeyOf(CostEntry e, CostGrouping g) => g.Dimension switch
    {
        CostDimension.Team => e.Team,
        CostDimension.Provider => e.Provider,
        CostDimension.Region => e.Region,
        CostDimension.Market => e.Market.ToString().ToLowerInvariant(),
        CostDimension.InstanceType => e.InstanceType,
        CostDimension.GpuModel => e.GpuModel,
        CostDimension.Label => JsonNode.Parse(e.Labels)![g.LabelKey!]?.GetValue<string>(),
        CostDimension.Day => e.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => e.StartedAt.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
    };
}
