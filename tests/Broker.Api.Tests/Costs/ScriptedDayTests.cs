using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Costs;

/// <summary>
/// A compressed day through the real system: jobs submitted over REST run on the local Slurm cluster and burst to the
/// simulated clouds (on-demand and spot); afterwards the ledger is recomputed here from the segments themselves (Slurm's own
/// job records on-prem, the allocation rows in the cloud) with the providers' published billing rules.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ScriptedDayTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject Body(string name, int gpus, string model, bool spot, string[] command, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray(model) };
        body["spot"] = new JsonObject { ["allowed"] = spot };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body["labels"] = new JsonObject { ["project"] = name.Split('-')[0], ["costcentre"] = "cc-42" };
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task A_scripted_day_gives_a_ledger_that_recomputes_from_the_segments()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var onprem = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        using var burst = app.ClientWithKey(await app.CreateKeyAsync("submitter", "burst"));
        var submitted = new List<string>
        {
            (await JobApi.SubmitAsync(onprem, Body("train-h100", 2, "H100-80GB", false, ["sleep", "2"], 5))).Id(),
            (await JobApi.SubmitAsync(onprem, Body("infer-l4", 1, "L4", false, ["sleep", "3"], 5))).Id(),
            (await JobApi.SubmitAsync(onprem, Body("eval-a100", 1, "A100-80GB", false, ["sleep", "1"], 5))).Id(),
            (await JobApi.SubmitAsync(burst, Body("sweep-a10g", 1, "A10G", false, ["python", "sweep.py"], 30))).Id(),
            (await JobApi.SubmitAsync(burst, Body("sweep-a10g", 1, "A10G", false, ["python", "sweep.py"], 45))).Id(),
            (await JobApi.SubmitAsync(burst, Body("render-t4", 1, "T4", true, ["python", "render.py"], 20))).Id(),
            (await JobApi.SubmitAsync(burst, Body("render-t4", 1, "T4", true, ["python", "render.py"], 25))).Id(),
        };
        var ids = submitted.Select(Guid.Parse).ToList();

        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            var mine = db.Allocations.Where(a => ids.Contains(a.JobId));
            return await db.Jobs.CountAsync(j => ids.Contains(j.Id) && j.State == JobState.Succeeded) == ids.Count
                && !await mine.AnyAsync(a => a.State != AllocationState.Closed)
                && await mine.CountAsync() == await db.CostRecordings.CountAsync(r => mine.Any(a => a.Id == r.AllocationId));
        }, "every job to succeed and every segment to be priced", seconds: 150);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);

        await using var check = app.NewDbContext();
        var allocations = await check.Allocations.AsNoTracking().Where(a => ids.Contains(a.JobId)).ToListAsync();
        var teams = await check.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToDictionaryAsync(j => j.Id, j => j.Team);
        var entries = await check.CostEntries.AsNoTracking().Where(e => ids.Contains(e.JobId)).ToListAsync();
        Assert.Contains(allocations, a => a.Market == CapacityType.OnPrem);
        Assert.Contains(allocations, a => a.Market == CapacityType.OnDemand);
        Assert.Contains(allocations, a => a.Market == CapacityType.Spot);

        var expectedByTeam = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var a in allocations)
        {
            var mine = entries.Where(e => e.AllocationId == a.Id).OrderBy(e => e.Part).ToList();
            var expected = await RecomputeAsync(a);
            expectedByTeam[teams[a.JobId]] = expectedByTeam.GetValueOrDefault(teams[a.JobId]) + expected;
            // One piece each unless a run crossed midnight; then each piece is rounded by itself (at most 1e-6 per piece).
            Assert.InRange(mine.Sum(e => e.Cost) - expected, -0.000001m * mine.Count, 0.000001m * mine.Count);
            if (mine.Count == 1)
            {
                Assert.Equal(expected, mine[0].Cost);
            }
            if (a.Market == CapacityType.OnDemand)
            {
                Assert.All(mine, e => Assert.Equal(e.Cost, e.OnDemandCost));
            }
            Assert.All(mine, e => Assert.Contains("\"costcentre\":\"cc-42\"", e.Labels.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal));
        }

        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var report = await finance.GetFromJsonAsync<JsonObject>(
            $"/v1/reports/costs?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&groupBy=team,label:costcentre");
        var rows = report!["rows"]!.AsArray().Where(r => r!["key"]!["label:costcentre"]?.GetValue<string>() == "cc-42").ToList();
        foreach (var (team, expected) in expectedByTeam)
        {
            var row = rows.Single(r => r!["key"]!["team"]!.GetValue<string>() == team)!;
            Assert.InRange(row["costUsd"]!.GetValue<decimal>() - expected, -0.00001m, 0.00001m);
            Assert.Equal(entries.Where(e => teams[e.JobId] == team).Sum(e => e.Cost), row["costUsd"]!.GetValue<decimal>());
        }
    }

    /// <summary>The segment's cost from first principles: Slurm's own times on-prem, the published rules in the cloud.</summary>
    private static async Task<decimal> RecomputeAsync(Allocation a)
    {
        if (a.IsOnPrem)
        {
            var (start, end) = await SlurmTimesAsync(a.ExternalId!);
            return Math.Round((decimal)(end - start).TotalSeconds * 1.20m * a.Gpus / 3600m, 6, MidpointRounding.ToEven);
        }
        if (a.StartedAt is not { } started)
        {
            return 0;
        }
        var ran = (decimal)(a.EndedAt!.Value - started).Ticks / TimeSpan.TicksPerSecond;
        var billed = a.Provider switch
        {
            "aws" or "gcp" => Math.Max(60, Math.Ceiling(ran)),
            "azure" => Math.Floor(ran / 60) * 60,
            _ => Math.Ceiling(ran),
        };
        return Math.Round(billed * a.PricePerHour / 3600m, 6, MidpointRounding.ToEven);
    }

    private static async Task<(DateTimeOffset Start, DateTimeOffset End)> SlurmTimesAsync(string slurmJobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        var job = (await http.GetFromJsonAsync<JsonObject>($"/slurm/v0.0.38/job/{slurmJobId}"))!["jobs"]!.AsArray().Single()!;
        return (DateTimeOffset.FromUnixTimeSeconds(job["start_time"]!.GetValue<long>()), DateTimeOffset.FromUnixTimeSeconds(job["end_time"]!.GetValue<long>()));
    }
}
