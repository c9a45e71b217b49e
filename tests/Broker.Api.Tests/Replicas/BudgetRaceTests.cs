using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Broker.Api.Tests.Replicas;

/// <summary>
/// Two real Broker processes with their Hangfire servers on one database place many cloud-only jobs at once against a
/// hard budget that fits only some of them. The simulated clouds run in real time, so nothing finishes (and no
/// reservation is trued up) while the placements race.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class BudgetRaceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Jobs = 40;
    private const string Team = "racing";
    private const decimal Limit = 4m;
    private readonly List<ReplicaProcess> replicas = [];
    private string connectionString = "";

    public async Task InitializeAsync()
    {
        connectionString = await PostgresServer.CreateDatabaseAsync("budgetrace");
        foreach (var name in new[] { "budget-a", "budget-b" })
        {
            var replica = ReplicaProcess.Start(name, Settings());
            replicas.Add(replica);
            await replica.WaitReadyAsync(TimeSpan.FromSeconds(120));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
    }

    private Dictionary<string, string> Settings() => ReplicaSettings.For(connectionString, "budget-race-callback-secret-0123456789abcdef", new Dictionary<string, string>
    {
        ["Schedules:Placement"] = "*/1 * * * * *",
        ["Schedules:Reconcile"] = "*/5 * * * * *",
        ["Schedules:Inventory"] = "*/5 * * * * *",
        ["Providers:Simulated:TimeScale"] = "1",
        ["Lifecycle:VanishGrace"] = "00:30:00",
        ["Lifecycle:OrphanGrace"] = "00:30:00",
        ["Placement:MaxWaitBeforeBurst"] = "00:00:00",
    });

    [Fact]
    public async Task Two_replicas_placing_many_jobs_at_once_never_commit_more_than_a_hard_budget()
    {
        var submitterKey = await CreateKeyAsync("submitter", Team);
        var financeKey = await CreateKeyAsync("finance", null);
        using (var finance = Client(0, financeKey))
        {
            (await finance.PutAsJsonAsync($"/v1/budgets/{Team}", new { amountUsd = Limit })).EnsureSuccessStatusCode();
        }
        var clients = new[] { Client(0, submitterKey), Client(1, submitterKey) };
        await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => JobApi.SubmitAsync(clients[i % 2], Body(i))));
        Array.ForEach(clients, c => c.Dispose());

        await WaitAsync(async db =>
        {
            var waitingForBudget = await db.Database.SqlQuery<int>(
                $"SELECT count(*)::int AS \"Value\" FROM jobs WHERE state = 'Pending' AND latest_explanation->>'waitReason' = 'budget'").SingleAsync();
            return waitingForBudget + await db.Jobs.CountAsync(j => j.State != JobState.Pending) == Jobs;
        }, TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(4)); // more passes of both replicas over the waiting jobs

        await using var check = NewDbContext();
        var reservations = await check.CostReservations.AsNoTracking().Where(r => r.Team == Team && r.Market != CapacityType.OnPrem).ToListAsync();
        var placed = await check.Jobs.CountAsync(j => j.State != JobState.Pending);
        var period = await check.BudgetPeriods.AsNoTracking().SingleAsync(p => p.Team == Team);
        var passes = await ReplicaChecks.ProcessingByPidAsync(connectionString, "PlacementPassJob");
        output.WriteLine($"placed {placed} of {Jobs}; reserved ${reservations.Sum(r => r.ExpectedCost)} of ${Limit} " +
            $"(each about ${reservations.Select(r => r.ExpectedCost).DefaultIfEmpty().Max()}); passes by pid: {string.Join(", ", passes)}");

        Assert.InRange(placed, 1, Jobs - 1);
        Assert.Equal(placed, reservations.Count);
        Assert.True(reservations.Sum(r => r.ExpectedCost) <= Limit, "the reservations overspend the hard budget");
        Assert.True(Limit - reservations.Sum(r => r.ExpectedCost) < reservations.Max(r => r.ExpectedCost), "the budget was left unused");
        Assert.Equal(reservations.Sum(r => r.ExpectedCost), period.ReservedUsd);
        Assert.True(period.SpentUsd + period.ReservedUsd <= Limit);
        Assert.All(replicas, r => Assert.True(passes.GetValueOrDefault(r.ProcessId) > 0, $"{r.Name} ran no placement pass"));
    }

    private static JsonObject Body(int i)
    {
        var body = JobApi.ValidBody($"budget-race-{i}");
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("T4") };
        // The size of the smallest T4 instances (4 vCPUs, 16 GB), so every T4 offer can hold the job and only the budget decides.
        body["cpuCores"] = 4;
        body["memoryGb"] = 16;
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray("sleep", "3600");
        body["estimatedDurationMinutes"] = 60;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private HttpClient Client(int replica, string key)
    {
        var client = new HttpClient { BaseAddress = replicas[replica].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<string> CreateKeyAsync(string role, string? team)
    {
        using var admin = Client(0, BrokerApp.AdminKey);
        using var response = await admin.PostAsJsonAsync("/v1/api-keys", new { name = $"budget race {role}", role, team });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private async Task WaitAsync(Func<BrokerDbContext, Task<bool>> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var db = NewDbContext())
            {
                if (await done(db))
                {
                    return;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for every job to be placed or to wait for budget\n" +
                string.Join("\n", replicas.Select(r => $"--- {r.Name}\n{r.Tail(15)}")));
            await Task.Delay(1000);
        }
    }

    private BrokerDbContext NewDbContext()
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(connectionString);
        return new BrokerDbContext(options.Options);
    }
}
