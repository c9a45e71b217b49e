using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Costs;

public sealed class BudgetAccountingTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task Concurrent_reservations_never_commit_more_than_the_hard_limit()
    {
        await SetBudgetAsync("racers", new { amountUsd = 55, softPercent = 80 });
        var now = DateTimeOffset.UtcNow;

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<BrokerDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var fits = await s.GetRequiredService<BudgetAccounts>().TryReserveAsync("racers", 10m, now, default);
            await Task.Delay(20);
            await tx.CommitAsync();
            return fits;
        }))));

        Assert.Equal(5, results.Count(r => r));
        var budget = await BudgetAsync("racers");
        Assert.Equal((50m, "soft"), (budget["current"]!["reservedUsd"]!.GetValue<decimal>(), budget["current"]!.Str("state")));
        Assert.Equal(["soft-threshold-crossed", "set"], await EventKindsAsync("racers"));
    }

    [Fact]
    public async Task A_reservation_is_trued_up_from_the_ledger_when_its_allocation_is_priced()
    {
        var now = DateTimeOffset.UtcNow;
        await SetBudgetAsync("trueup", new { amountUsd = 100, softPercent = 50, period = "custom", from = now.AddDays(-30), to = now.AddDays(30) });
        var job = await app.SubmitAsync("trueup");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, now.AddMinutes(-100), now.AddMinutes(-10),
            instanceType: "p5.48xlarge", region: "us-east-1", created: now.AddMinutes(-102));
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<BrokerDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.True(await s.GetRequiredService<BudgetAccounts>().TryReserveAsync("trueup", 40m, now, default));
            db.CostReservations.Add(new CostReservation { AllocationId = allocation.Id, JobId = job.Id, Team = "trueup", Market = CapacityType.OnDemand, ExpectedCost = 40m, CreatedAt = now.AddMinutes(-102) });
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return 0;
        });
        Assert.Equal(40m, (await BudgetAsync("trueup"))["current"]!["reservedUsd"]!.GetValue<decimal>());

        await app.RecordAsync(allocation.Id);

        var current = (await BudgetAsync("trueup"))["current"]!;
        Assert.Equal((54m, 0m, "soft"), (current["spentUsd"]!.GetValue<decimal>(), current["reservedUsd"]!.GetValue<decimal>(), current.Str("state")));
        await SetBudgetAsync("trueup", new { amountUsd = 50, softPercent = 50, period = "custom", from = now.AddDays(-30), to = now.AddDays(30) });
        Assert.Equal(["hard-threshold-crossed", "set", "soft-threshold-crossed", "set"], await EventKindsAsync("trueup"));
        await using var db = app.NewDbContext();
        var reservation = await db.CostReservations.SingleAsync(r => r.AllocationId == allocation.Id);
        Assert.Equal(54m, reservation.ActualCost);
    }

    [Fact]
    public async Task A_budget_set_after_spending_counts_what_the_ledger_already_holds()
    {
        var now = DateTimeOffset.UtcNow;
        var job = await app.SubmitAsync("late");
        var spot = await app.AddClosedAsync(job, CapacityType.Spot, "gcp", 12m, 8, now.AddMinutes(-70), now.AddMinutes(-40),
            AllocationEnd.Interrupted, "a3-highgpu-8g", "us-central1");
        var onPrem = await app.AddClosedAsync(job, CapacityType.OnPrem, "slurm", 9.6m, 8, now.AddMinutes(-30), now.AddMinutes(-20));
        await app.RecordAsync(spot.Id);
        await app.RecordAsync(onPrem.Id);

        await SetBudgetAsync("late", new { amountUsd = 1000, period = "custom", from = now.AddDays(-1), to = now.AddDays(1) });

        var current = (await BudgetAsync("late"))["current"]!;
        Assert.Equal((await app.EntriesAsync(spot.Id)).Sum(e => e.Cost), current["spentUsd"]!.GetValue<decimal>());
        Assert.Equal(6m, current["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_team_over_its_hard_limit_gets_on_prem_only_and_its_cloud_jobs_wait_for_budget()
    {
        await using (var db = app.NewDbContext())
        {
            db.OnPremNodes.Add(new OnPremNodeRecord { Name = "l4-node", GpuModel = "L4", GpuTotal = 4, State = OnPremNodeState.Idle, Cpus = 32, MemoryMb = 128_000, LastSeenAt = DateTimeOffset.UtcNow, Present = true });
            await db.SaveChangesAsync();
        }
        await SetBudgetAsync("broke", new { amountUsd = 0 });
        var onPremJob = await app.SubmitAsync("broke", ["L4"]);
        var cloudJob = await app.SubmitAsync("broke", ["T4"]);

        var placed = await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));

        await using var check = app.NewDbContext();
        var allocations = await check.Allocations.AsNoTracking().Where(a => placed.Contains(a.Id)).ToListAsync();
        Assert.Contains(allocations, a => a.JobId == onPremJob.Id && a.Market == CapacityType.OnPrem);
        Assert.DoesNotContain(allocations, a => a.JobId == cloudJob.Id);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "broke"));
        var waiting = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{cloudJob.Id}"))!;
        Assert.Equal(("pending", "wait", "budget"), (waiting.Str("state"), waiting["placement"]!.Str("action"), waiting["placement"]!.Str("waitReason")));
        Assert.Contains(waiting["placement"]!["rejected"]!.AsArray(), r => r!.Str("reason") == "budget");
    }

    [Fact]
    public async Task Closes_of_one_team_run_side_by_side_and_a_budget_set_meanwhile_waits_for_them_and_counts_them()
    {
        var now = DateTimeOffset.UtcNow;
        var job = await app.SubmitAsync("sidebyside");
        var first = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, now.AddMinutes(-90), now.AddMinutes(-30),
            instanceType: "p5.48xlarge", region: "us-east-1");
        var second = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, now.AddMinutes(-20), now.AddMinutes(-10),
            instanceType: "p5.48xlarge", region: "us-east-1");
        var open = InOpenTransaction(async s =>
        {
            await s.GetRequiredService<CostRecorder>().RecordInClosingTransactionAsync(first, default);
            return true;
        });
        Task set;
        try
        {
            await open.Done.WaitAsync(TimeSpan.FromSeconds(60));

            // The first close's transaction is still open: the second close of the same team does not wait for it.
            Assert.Equal(RecordOutcome.Recorded, await app.RecordAsync(second.Id).WaitAsync(TimeSpan.FromSeconds(30)));
            set = SetBudgetAsync("sidebyside", new { amountUsd = 1000, period = "custom", from = now.AddDays(-1), to = now.AddDays(1) });
            await Task.Delay(500);
            Assert.False(set.IsCompleted, "a budget set computes its period from the ledger: it must wait for the open close");
        }
        finally
        {
            open.Release();
        }
        await open.Committed;
        await set;

        var spent = (await app.EntriesAsync(first.Id)).Concat(await app.EntriesAsync(second.Id)).Sum(e => e.Cost);
        Assert.True(spent > 0);
        Assert.Equal(spent, (await BudgetAsync("sidebyside"))["current"]!["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_reservation_of_a_team_without_a_budget_does_not_hold_up_its_closes()
    {
        var now = DateTimeOffset.UtcNow;
        var job = await app.SubmitAsync("nobudget");
        var closed = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, now.AddMinutes(-90), now.AddMinutes(-30),
            instanceType: "p5.48xlarge", region: "us-east-1");
        var open = InOpenTransaction(s => s.GetRequiredService<BudgetAccounts>().TryReserveAsync("nobudget", 40m, now, default));
        try
        {
            Assert.True(await open.Done.WaitAsync(TimeSpan.FromSeconds(60)));

            Assert.Equal(RecordOutcome.Recorded, await app.RecordAsync(closed.Id).WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            open.Release();
        }
        await open.Committed;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction of its own and keeps the transaction (and the locks it took) open until
    /// <c>Release</c>: <c>Done</c> completes with the work's result while it is still open, <c>Committed</c> after the commit.
    /// </summary>
    private (Task<T> Done, Task Committed, Action Release) InOpenTransaction<T>(Func<IServiceProvider, Task<T>> work)
    {
        var done = new TaskCompletionSource<T>();
        var release = new TaskCompletionSource();
        var committed = Task.Run(() => app.WithScopeAsync(async s =>
        {
            await using var tx = await s.GetRequiredService<BrokerDbContext>().Database.BeginTransactionAsync();
            done.SetResult(await work(s));
            await release.Task;
            await tx.CommitAsync();
            return true;
        }));
        return (done.Task, committed, () => release.TrySetResult());
    }

    private async Task SetBudgetAsync(string team, object body)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        using var response = await finance.PutAsJsonAsync($"/v1/budgets/{team}", body);
        response.EnsureSuccessStatusCode();
    }

    private async Task<JsonObject> BudgetAsync(string team)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        return (await finance.GetFromJsonAsync<JsonObject>($"/v1/budgets/{team}"))!;
    }

    private async Task<List<string>> EventKindsAsync(string team)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var events = await finance.GetFromJsonAsync<JsonObject>($"/v1/budgets/{team}/events");
        return [.. events!["items"]!.AsArray().Select(e => e!.Str("kind"))];
    }
}
