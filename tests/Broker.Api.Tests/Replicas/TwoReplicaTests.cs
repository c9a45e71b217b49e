using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Broker.Api.Tests.Replicas;

/// <summary>
/// Two real Broker processes with their Hangfire servers on one PostgreSQL database, the real Slurm cluster and each its
/// own simulated clouds. Each simulated cloud lives in one process only, so the other replica's reconciler cannot see its
/// instances: the vanish grace is set longer than the test and a lost provisioning enqueue is retried after a minute
/// (a shared real cloud would make both unnecessary: its idempotency token dedupes creates across processes).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class TwoReplicaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Jobs = 500;
    private const string Team = "replicas";
    private static readonly TimeSpan WaitCap = TimeSpan.FromMinutes(15);
    private readonly List<ReplicaProcess> replicas = [];
    private string connectionString = "";

    public async Task InitializeAsync()
    {
        connectionString = await PostgresServer.CreateDatabaseAsync("replicas");
        var settings = Settings();
        // One after the other: the first applies the migrations and prepares Hangfire's schema.
        foreach (var name in new[] { "replica-a", "replica-b" })
        {
            var replica = ReplicaProcess.Start(name, settings);
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

    private Dictionary<string, string> Settings() => ReplicaSettings.For(connectionString, "replica-callback-secret-0123456789abcdefghij", new Dictionary<string, string>
    {
        ["Schedules:Placement"] = "*/2 * * * * *",
        ["Schedules:Reconcile"] = "*/2 * * * * *",
        ["Schedules:Inventory"] = "*/2 * * * * *",
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
        ["Providers:Simulated:TimeScale"] = "3600",
        ["Lifecycle:VanishGrace"] = "00:30:00",
        ["Lifecycle:OrphanGrace"] = "00:00:05",
        ["Lifecycle:RequeueRequestedAfter"] = "00:01:00",
        ["Placement:MaxWaitBeforeBurst"] = "00:10:00",
    });

    private static JsonObject Body(int i)
    {
        var cloudOnly = i % 10 == 0;
        var body = JobApi.ValidBody($"replica-job-{i}");
        JsonNode[] models = cloudOnly ? [i % 20 == 0 ? "A10G" : "T4"] : ["H100-80GB", "A100-80GB", "A100-40GB", "L4"];
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray(models) };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray("sleep", "1");
        body["estimatedDurationMinutes"] = cloudOnly ? 30 : 1;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task Two_replicas_run_500_jobs_to_success_without_double_allocation_and_leave_nothing_behind()
    {
        var clock = Stopwatch.StartNew();
        var key = await CreateKeyAsync(replicas[0]);
        var clients = replicas.Select(r => new HttpClient { BaseAddress = r.BaseAddress, Timeout = TimeSpan.FromSeconds(60) }).ToList();
        clients.ForEach(c => c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key));
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, Jobs).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await JobApi.SubmitAsync(clients[i % 2], Body(i));
            }
            finally
            {
                gate.Release();
            }
        }));
        var submitted = clock.Elapsed;
        clients.ForEach(c => c.Dispose());

        await WaitAsync(async db => await db.Jobs.CountAsync(j => j.State == JobState.Succeeded || j.State == JobState.Failed
            || j.State == JobState.Cancelled) == Jobs, "every job to end", TimeSpan.FromMinutes(2));
        var finished = clock.Elapsed;
        await WaitAsync(async db => !await db.Allocations.AnyAsync(a => a.State != AllocationState.Closed), "every allocation to close",
            TimeSpan.FromMinutes(2));

        await using var db = NewDbContext();
        var allocations = await db.Allocations.AsNoTracking().ToListAsync();
        var provisioned = new Dictionary<int, int>();
        foreach (var (pid, count) in await ReplicaChecks.ProcessingByPidAsync(connectionString, "ProvisionAllocation"))
        {
            provisioned[pid] = count;
        }
        Report(submitted, finished, allocations, provisioned);

        Assert.Equal(Jobs, await db.Jobs.CountAsync(j => j.State == JobState.Succeeded));
        Assert.Empty(await ReplicaChecks.JobsWithoutOneFinishAsync(db));
        Assert.Empty(await ReplicaChecks.JobsWithoutOneCompletedSegmentAsync(db));
        Assert.Empty(await ReplicaChecks.OnPremOvercommitsAsync(db));
        var externalIds = allocations.Where(a => a.ExternalId is not null).Select(a => (a.Provider, a.ExternalId)).ToList();
        Assert.Equal(externalIds.Count, externalIds.Distinct().Count());
        Assert.All(allocations.Where(a => a.End == AllocationEnd.Completed), a => Assert.NotNull(a.ExternalId));
        Assert.All(replicas, r => Assert.True(provisioned.GetValueOrDefault(r.ProcessId) > 0, $"{r.Name} provisioned nothing"));
        Assert.All(replicas, r => Assert.Equal(0, r.CountLines("Terminating orphan")));
    }

    private void Report(TimeSpan submitted, TimeSpan finished, List<Allocation> allocations, Dictionary<int, int> provisioned)
    {
        output.WriteLine($"jobs: {Jobs} submitted in {submitted.TotalSeconds:0.0} s, all ended after {finished.TotalSeconds:0.0} s");
        output.WriteLine($"allocations: {allocations.Count} ({allocations.Count(a => a.IsOnPrem)} on-prem, {allocations.Count(a => !a.IsOnPrem)} cloud); " +
            "ends: " + string.Join(", ", allocations.GroupBy(a => a.End).Select(g => $"{g.Key}={g.Count()}")));
        foreach (var failed in allocations.Where(a => a.End is not (AllocationEnd.Completed or AllocationEnd.NoCapacity))
            .GroupBy(a => (a.IsOnPrem, a.End, a.EndReason)).OrderByDescending(g => g.Count()).Take(10))
        {
            output.WriteLine($"  {failed.Count()} {(failed.Key.IsOnPrem ? "on-prem" : "cloud")} ended {failed.Key.End}: {failed.Key.EndReason}");
        }
        foreach (var r in replicas)
        {
            output.WriteLine($"{r.Name} (pid {r.ProcessId}): provisioned {provisioned.GetValueOrDefault(r.ProcessId)} allocations; " +
                $"duplicate Slurm jobs cancelled {r.CountLines("Cancelling duplicate Slurm job")}; orphans terminated {r.CountLines("Terminating orphan")}; " +
                $"warnings {r.CountLines("warn:")}");
            foreach (var warning in r.Warnings(12))
            {
                output.WriteLine($"  {warning}");
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds. Fails when the jobs' state counts have not moved for
    /// <paramref name="stall"/> (a hang) or after <see cref="WaitCap"/> in all: the test judges what is lost or doubled,
    /// not speed (bench/lifecycle-throughput does), and a loaded machine may be several times slower than CI.
    /// </summary>
    private async Task WaitAsync(Func<BrokerDbContext, Task<bool>> done, string what, TimeSpan stall)
    {
        var cap = DateTime.UtcNow + WaitCap;
        var lastChange = DateTime.UtcNow;
        var lastStates = "";
        while (true)
        {
            await using (var db = NewDbContext())
            {
                if (await done(db))
                {
                    return;
                }
                var counts = await db.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
                var states = string.Join(", ", counts.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Count}"));
                if (states != lastStates)
                {
                    (lastStates, lastChange) = (states, DateTime.UtcNow);
                }
                var now = DateTime.UtcNow;
                Assert.True(now - lastChange < stall && now < cap,
                    $"timed out waiting for {what} ({(now < cap ? $"no job changed state for {stall.TotalMinutes:0} min" : $"{WaitCap.TotalMinutes:0} min in all")}): {states}"
                    + "\n" + string.Join("\n", replicas.Select(r => $"--- {r.Name}\n{r.Tail(15)}")));
            }
            await Task.Delay(2000);
        }
    }

    private static async Task<string> CreateKeyAsync(ReplicaProcess replica)
    {
        using var admin = new HttpClient { BaseAddress = replica.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BrokerApp.AdminKey);
        using var response = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "replica submitter", role = "submitter", team = Team });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private BrokerDbContext NewDbContext()
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(connectionString);
        return new BrokerDbContext(options.Options);
    }
}
