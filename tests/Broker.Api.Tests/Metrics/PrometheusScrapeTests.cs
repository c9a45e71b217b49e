using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Api.Tests.Replicas;
using Broker.Testing;

namespace Broker.Api.Tests.Metrics;

/// <summary>
/// A real Broker process (Hangfire on, the local Slurm cluster, simulated clouds at 60× speed) with its metrics on a port
/// of their own, a scripted run on it, and a real Prometheus scraping that port: what Prometheus stored agrees with what
/// Broker's API says about the same moment (jobs by state, on-prem GPUs, cloud instances, spend, budget).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private const string Team = "metrics";
    private ReplicaProcess? broker;
    private PrometheusServer? prometheus;
    private int metricsPort;
    private HttpClient admin = new();

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync("prometheus");
        metricsPort = ReplicaProcess.FreePort();
        broker = ReplicaProcess.Start("metrics", ReplicaSettings.For(database, "metrics-callback-secret-0123456789abcdefghij", new Dictionary<string, string>
        {
            ["Schedules:Placement"] = "*/2 * * * * *",
            ["Schedules:Reconcile"] = "*/2 * * * * *",
            ["Schedules:Inventory"] = "*/2 * * * * *",
            [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
            ["Providers:Simulated:TimeScale"] = "60",
            ["Lifecycle:VanishGrace"] = "00:30:00",
            ["Metrics:Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Metrics:SnapshotTtl"] = "00:00:01",
        }));
        await broker.WaitReadyAsync(TimeSpan.FromSeconds(120));
        admin = Client(BrokerApp.AdminKey);
    }

    public async Task DisposeAsync()
    {
        if (prometheus is not null)
        {
            await prometheus.DisposeAsync();
        }
        admin.Dispose();
        if (broker is not null)
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Prometheus_scraping_broker_stores_the_numbers_broker_api_reports()
    {
        using var submitter = Client(await KeyAsync("submitter", Team));
        using var ops = Client(await KeyAsync("ops"));
        using var finance = Client(await KeyAsync("finance"));
        (await finance.PutAsJsonAsync($"/v1/budgets/{Team}", new { amountUsd = 500 })).EnsureSuccessStatusCode();
        var jobs = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            jobs.Add((await JobApi.SubmitAsync(submitter, Body($"onprem-{i}", ["H100-80GB"], i, minutes: 10, "sleep", "300"))).Id());
        }
        foreach (var i in new[] { 1, 2 })
        {
            jobs.Add((await JobApi.SubmitAsync(submitter, Body($"cloud-long-{i}", ["T4"], 1, minutes: 600, "sleep", "1"))).Id());
            jobs.Add((await JobApi.SubmitAsync(submitter, Body($"cloud-short-{i}", ["A10G"], 1, minutes: 2, "sleep", "1"))).Id());
        }

        // The run settles: three on-prem jobs and two long cloud jobs running, two short cloud jobs done and priced, and the
        // inventory's poll of Slurm has seen the on-prem jobs' GPUs (the jobs' own start callbacks can be seconds ahead of it).
        await WaitAsync(async () => await CountAsync(ops, "running") == 5 && await CountAsync(ops, "succeeded") == 2
            && (await MonthSpendAsync(finance)).Values.Sum() > 0
            && (await NodesAsync(ops)).Sum(n => n["gpuUsed"]!.GetValue<int>()) >= 6, "the scripted run to settle", TimeSpan.FromMinutes(3));
        prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{metricsPort}");

        foreach (var state in new[] { "pending", "placed", "starting", "running", "succeeded", "failed", "cancelled" })
        {
            await AgreeAsync($"jobs {state}", async () => await CountAsync(ops, state), $"max(broker_jobs{{state=\"{state}\"}})");
        }
        var used = await AgreeAsync("on-prem GPUs used", async () => (await NodesAsync(ops)).Sum(n => n["gpuUsed"]!.GetValue<int>()),
            "sum(max by (model) (broker_onprem_gpus{status=\"used\"}))");
        Assert.True(used >= 6, $"the three on-prem jobs hold 6 GPUs, Slurm reports {used} in use");
        await AgreeAsync("on-prem GPUs idle", async () => (await NodesAsync(ops)).Where(n => n["schedulable"]!.GetValue<bool>())
            .Sum(n => n["gpuIdle"]!.GetValue<int>()), "sum(max by (model) (broker_onprem_gpus{status=\"idle\"}))");
        var segments = await RunningSegmentsAsync(ops, jobs);
        Assert.Equal(2, await AgreeAsync("cloud instances", async () => (await RunningSegmentsAsync(ops, jobs)).Count(s => s.Str("location") == "cloud"),
            "sum(max by (provider, market) (broker_cloud_instances))"));
        foreach (var market in segments.Select(s => s.Str("market")).Distinct())
        {
            await AgreeAsync($"spend rate {market}", async () => (await RunningSegmentsAsync(ops, jobs)).Where(s => s.Str("market") == market)
                .Sum(s => s["pricePerHour"]!.GetValue<double>()), $"max(broker_spend_rate_usd_per_hour{{team=\"{Team}\",market=\"{market}\"}})");
        }
        var spend = await MonthSpendAsync(finance);
        Assert.NotEmpty(spend);
        foreach (var ((team, market), _) in spend)
        {
            await AgreeAsync($"month spend {team} {market}", async () => (await MonthSpendAsync(finance))[(team, market)],
                $"max(broker_spend_month_usd{{team=\"{team}\",market=\"{market}\"}})");
        }
        var ratio = await AgreeAsync("budget used", async () =>
        {
            var current = (await finance.GetFromJsonAsync<JsonObject>($"/v1/budgets/{Team}"))!["current"]!;
            return current["committedUsd"]!.GetValue<double>() / 500;
        }, $"max(broker_budget_used_ratio{{team=\"{Team}\"}})");
        Assert.True(ratio > 0);

        // Per-replica event metrics: every job was decided and placed; every cloud launch was a timed create.
        Assert.True(await prometheus.ScalarAsync("sum(broker_placement_decisions_total{target=\"onprem\"})") >= 3);
        Assert.True(await prometheus.ScalarAsync("sum(broker_placement_decisions_total{target=\"cloud\"})") >= 4);
        Assert.True(await prometheus.ScalarAsync("sum(broker_queue_wait_seconds_count)") >= 7);
        Assert.True(await prometheus.ScalarAsync("sum(broker_provider_call_duration_seconds_count{operation=\"create\",outcome=\"ok\"})") >= 4);
        Assert.True(await prometheus.ScalarAsync("sum(broker_placement_pass_duration_seconds_count)") >= 1);
        Assert.NotNull(await prometheus.ScalarAsync("max(broker_hangfire_jobs{state=\"failed\"})"));
        var series = await prometheus.QueryAsync("{__name__=~\"broker_.*\"}");
        Assert.True(series.Count > 20, $"only {series.Count} broker series");
        Assert.DoesNotContain(series.SelectMany(s => s.Labels.Select(l => l.Value!.ToString())), value => jobs.Any(id => value.Contains(id, StringComparison.Ordinal)));

        // The metrics port serves only /metrics; the API port does not serve /metrics.
        using var metricsPortClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/") };
        Assert.Equal(HttpStatusCode.NotFound, (await metricsPortClient.GetAsync(new Uri("v1/jobs", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/metrics")).StatusCode);

        foreach (var id in jobs)
        {
            await ops.PostAsync($"/v1/jobs/{id}/cancel", null);
        }
        await WaitAsync(async () => (await NodesAsync(ops)).Sum(n => n["gpuUsed"]!.GetValue<int>()) == used - 6, "the on-prem jobs to be cancelled",
            TimeSpan.FromMinutes(1));
    }

    /// <summary>Polls until Broker's API and Prometheus say the same (both move while a scrape lands); returns the value.</summary>
    private async Task<double> AgreeAsync(string what, Func<Task<double>> api, string promql)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var expected = await api();
            var stored = await prometheus!.ScalarAsync(promql);
            if (stored is { } value && Math.Abs(value - expected) < 1e-6)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: Broker's API says {expected}, Prometheus ({promql}) says {stored?.ToString() ?? "nothing"}");
            }
            await Task.Delay(500);
        }
    }

    private static JsonObject Body(string name, string[] models, int gpus, int minutes, params string[] command)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray([.. models.Select(m => JsonValue.Create(m))]) };
        body["cpuCores"] = 1;
        body["memoryGb"] = 1;
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray([.. command.Select(c => JsonValue.Create(c))]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private static async Task<int> CountAsync(HttpClient client, string state)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs?state={state}&limit=500" + (cursor is null ? "" : $"&cursor={cursor}")))!;
            count += page["items"]!.AsArray().Count;
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return count;
    }

    private static async Task<List<JsonNode>> NodesAsync(HttpClient ops) =>
        [.. (await ops.GetFromJsonAsync<JsonArray>("/v1/onprem/nodes"))!.Where(n => n!["present"]!.GetValue<bool>()).Select(n => n!)];

    private static async Task<List<JsonNode>> RunningSegmentsAsync(HttpClient ops, IEnumerable<string> ids)
    {
        var segments = new List<JsonNode>();
        foreach (var id in ids)
        {
            var job = (await ops.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!;
            segments.AddRange(job["segments"]?.AsArray().Where(s => s!.Str("state") == "running").Select(s => s!) ?? []);
        }
        return segments;
    }

    private static async Task<Dictionary<(string Team, string Market), double>> MonthSpendAsync(HttpClient finance)
    {
        var now = DateTimeOffset.UtcNow;
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var report = (await finance.GetFromJsonAsync<JsonObject>(
            $"/v1/reports/costs?from={month:yyyy-MM-ddTHH:mm:ssZ}&to={month.AddMonths(1):yyyy-MM-ddTHH:mm:ssZ}&groupBy=team,market"))!;
        return report["rows"]!.AsArray().ToDictionary(r => (r!["key"]!.Str("team"), r["key"]!.Str("market")), r => r!["costUsd"]!.GetValue<double>());
    }

    private async Task<string> KeyAsync(string role, string? team = null)
    {
        using var response = await admin.PostAsJsonAsync("/v1/api-keys", new { name = $"{role} {team}", role, team });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!.Str("key");
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = broker!.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}:\n{broker!.Tail()}");
            await Task.Delay(1000);
        }
    }
}
