using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Broker.Bench.ReportCosts;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// report-costs --connection CS --url URL --key KEY [--entries N] [--tail N] [--iterations N]
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => args[x.i + 1], StringComparer.Ordinal);
var connection = options["connection"];
var url = options["url"].TrimEnd('/');
var key = options["key"];
var entries = long.Parse(options.GetValueOrDefault("entries", "1000000"), CultureInfo.InvariantCulture);
var tail = long.Parse(options.GetValueOrDefault("tail", "10000"), CultureInfo.InvariantCulture);
var iterations = int.Parse(options.GetValueOrDefault("iterations", "15"), CultureInfo.InvariantCulture);

await using var db = NpgsqlDataSource.Create(connection);
var clock = Stopwatch.StartNew();
Console.Error.WriteLine($"loading {entries - tail:N0} entries, rolling them up, then {tail:N0} more (the tail reports read raw)");
await SyntheticLedger.LoadAsync(db, 0, entries - tail, entries);
var contextOptions = new DbContextOptionsBuilder<BrokerDbContext>();
contextOptions.UseBrokerDatabase(connection);
await using (var context = new BrokerDbContext(contextOptions.Options))
{
    var rollup = Stopwatch.StartNew();
    var folded = await new LedgerRollup(context, TimeProvider.System).RollUpAsync(default);
    Console.Error.WriteLine($"rolled up {folded:N0} entries in {rollup.Elapsed.TotalSeconds:0.0} s");
}
await SyntheticLedger.LoadAsync(db, entries - tail, entries, entries);
foreach (var table in new[] { "cost_entries", "cost_daily_rollups", "cost_job_monthly" })
{
    await using var analyze = db.CreateCommand($"VACUUM ANALYZE {table}");
    analyze.CommandTimeout = 600;
    await analyze.ExecuteNonQueryAsync();
}
await using (var count = db.CreateCommand("SELECT count(*), (SELECT count(*) FROM cost_daily_rollups) FROM cost_entries"))
await using (var reader = await count.ExecuteReaderAsync())
{
    await reader.ReadAsync();
    Console.Error.WriteLine($"ledger: {reader.GetInt64(0):N0} entries, {reader.GetInt64(1):N0} daily rollup rows; loaded in {clock.Elapsed.TotalSeconds:0} s");
}

using var http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
const string range = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";
var reports = new (string Name, string Path)[]
{
    ("report team x market json", $"v1/reports/costs?{range}&groupBy=team,market"),
    ("report team x market csv", $"v1/reports/costs?{range}&groupBy=team,market&format=csv"),
    ("report by day json", $"v1/reports/costs?{range}&groupBy=day"),
    ("report by day csv", $"v1/reports/costs?{range}&groupBy=day&format=csv"),
};
const string where = "WHERE started_at >= '2026-11-01T00:00:00Z' AND started_at < '2026-12-01T00:00:00Z'";
var raws = new (string Name, string Sql)[]
{
    ("raw sql team x market", $"SELECT team, market, sum(gpu_hours), sum(cost), sum(on_demand_cost), count(*) FROM cost_entries {where} GROUP BY team, market"),
    ("raw sql by day", $"SELECT (started_at AT TIME ZONE 'UTC')::date, sum(gpu_hours), sum(cost), sum(on_demand_cost), count(*) FROM cost_entries {where} GROUP BY 1"),
};

async Task<double> TimeReportAsync(string path)
{
    var watch = Stopwatch.StartNew();
    using var response = await http.GetAsync(path);
    var body = await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode || body.Length == 0)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
    }
    return watch.Elapsed.TotalMilliseconds;
}

async Task<double> TimeRawAsync(string sql)
{
    var watch = Stopwatch.StartNew();
    await using var command = db.CreateCommand(sql);
    await using var reader = await command.ExecuteReaderAsync();
    var rows = 0;
    while (await reader.ReadAsync())
    {
        rows++;
    }
    return rows > 0 ? watch.Elapsed.TotalMilliseconds : throw new InvalidOperationException("the raw query returned nothing");
}

var samples = reports.Select(r => r.Name).Concat(raws.Select(r => r.Name)).ToDictionary(n => n, _ => new List<double>());
for (var round = -3; round < iterations; round++)
{
    // Interleaved, so both sides see the same machine load; the first three rounds warm up caches and the JIT.
    foreach (var (name, path) in reports)
    {
        var ms = await TimeReportAsync(path);
        if (round >= 0)
        {
            samples[name].Add(ms);
        }
    }
    foreach (var (name, sql) in raws)
    {
        var ms = await TimeRawAsync(sql);
        if (round >= 0)
        {
            samples[name].Add(ms);
        }
    }
}

static double P50(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

foreach (var (name, values) in samples)
{
    Console.WriteLine($"{name}: p50 {P50(values):0.0} ms, min {values.Min():0.0}, max {values.Max():0.0} ({values.Count} runs)");
}
var report = P50(reports.SelectMany(r => samples[r.Name]));
var raw = P50(raws.SelectMany(r => samples[r.Name]));
Console.WriteLine($"report_ms_p50={report.ToString("0.0", CultureInfo.InvariantCulture)}");
Console.WriteLine($"raw_sql_ms_p50={raw.ToString("0.0", CultureInfo.InvariantCulture)}");
Console.WriteLine($"ratio={(report / raw).ToString("0.000", CultureInfo.InvariantCulture)}");
