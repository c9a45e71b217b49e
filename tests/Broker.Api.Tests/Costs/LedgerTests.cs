using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Costs.Budgets;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broker.Api.Tests.Costs;

public sealed class LedgerTests(CostsApp app) : IClassFixture<CostsApp>
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_spot_run_across_a_price_change_is_billed_per_second_at_each_price_with_the_on_demand_counterfactual()
    {
        var job = await app.SubmitAsync("vision");
        var start = T0.AddMicroseconds(250);
        var change = T0.AddMinutes(25);
        var end = T0.AddHours(1).AddSeconds(30.5);
        await using (var db = app.NewDbContext())
        {
            var offer = await db.Offers.FirstAsync(o => o.Provider == "aws" && o.InstanceType == "p5.48xlarge" && o.SpotPerHour != null);
            db.OfferPriceChanges.Add(new OfferPriceChange
            {
                Provider = "aws", Region = offer.Region, Zone = offer.Zone, InstanceType = offer.InstanceType, Market = CapacityType.Spot,
                At = change, PreviousPricePerHour = 30m, PricePerHour = 33.333333m,
            });
            await db.SaveChangesAsync();
            var allocation = await app.AddClosedAsync(job, CapacityType.Spot, "aws", 30m, 8, start, end, instanceType: offer.InstanceType,
                region: offer.Region, zone: offer.Zone);

            Assert.Equal(RecordOutcome.Recorded, await app.RecordAsync(allocation.Id));

            var entries = await app.EntriesAsync(allocation.Id);
            Assert.Equal(2, entries.Count);
            Assert.Equal((start, change, change, end), (entries[0].StartedAt, entries[0].EndedAt, entries[1].StartedAt, entries[1].EndedAt));
            var firstSeconds = Usd.Seconds(change - start);
            var secondSeconds = Math.Ceiling(Usd.Seconds(end - start)) - firstSeconds;
            Assert.Equal(firstSeconds, entries[0].BilledSeconds);
            Assert.Equal(secondSeconds, entries[1].BilledSeconds);
            Assert.Equal(Usd.ForSeconds(firstSeconds, 30m), entries[0].Cost);
            Assert.Equal(Usd.ForSeconds(secondSeconds, 33.333333m), entries[1].Cost);
            Assert.All(entries, e => Assert.Equal(offer.OnDemandPerHour, e.OnDemandPricePerHour));
            Assert.Equal(Usd.ForSeconds(firstSeconds, offer.OnDemandPerHour) + Usd.ForSeconds(secondSeconds, offer.OnDemandPerHour),
                entries.Sum(e => e.OnDemandCost));
            Assert.All(entries, e => Assert.Equal(("vision", CapacityType.Spot, 8, "aws", CostEntryKind.Usage), (e.Team, e.Market, e.GpuCount, e.Provider, e.Kind)));
            Assert.Contains("\"costCentre\":\"cc-7\"", entries[0].Labels.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_failed_launch_costs_nothing_and_is_marked_priced()
    {
        var job = await app.SubmitAsync("vision");
        var allocation = await app.AddClosedAsync(job, CapacityType.Spot, "gcp", 12m, 8, null, T0, AllocationEnd.LaunchFailed,
            "a3-highgpu-8g", "us-central1");

        Assert.Equal(RecordOutcome.Recorded, await app.RecordAsync(allocation.Id));

        Assert.Empty(await app.EntriesAsync(allocation.Id));
        await using var db = app.NewDbContext();
        var recording = await db.CostRecordings.SingleAsync(r => r.AllocationId == allocation.Id);
        Assert.Equal((0, 0m), (recording.Entries, recording.Cost));
    }

    [Fact]
    public async Task An_interrupted_spot_instance_is_billed_until_it_stopped()
    {
        var job = await app.SubmitAsync("nlp");
        var stop = T0.AddMinutes(47).AddSeconds(11);
        var allocation = await app.AddClosedAsync(job, CapacityType.Spot, "gcp", 11.5m, 8, T0, stop, AllocationEnd.Interrupted,
            "a3-highgpu-8g", "us-central1");

        await app.RecordAsync(allocation.Id);

        var entry = Assert.Single(await app.EntriesAsync(allocation.Id));
        Assert.Equal((T0, stop, 2831m), (entry.StartedAt, entry.EndedAt, entry.BilledSeconds));
        Assert.Equal(Usd.ForSeconds(2831m, 11.5m), entry.Cost);
    }

    [Fact]
    public async Task Ec2_does_not_charge_a_spot_instance_it_interrupted_in_its_first_hour()
    {
        var job = await app.SubmitAsync("nlp");
        var allocation = await app.AddClosedAsync(job, CapacityType.Spot, "aws", 20m, 8, T0, T0.AddMinutes(59), AllocationEnd.Interrupted,
            "p5.48xlarge", "us-east-1");

        await app.RecordAsync(allocation.Id);

        var entry = Assert.Single(await app.EntriesAsync(allocation.Id));
        Assert.Equal((0m, 0m), (entry.Cost, entry.BilledSeconds));
        Assert.Equal(Usd.Round(59m / 60 * 8), entry.GpuHours);
        Assert.True(entry.OnDemandCost > 0);
    }

    [Fact]
    public async Task An_on_prem_rate_change_applies_from_its_effective_time()
    {
        var job = await app.SubmitAsync("vision");
        var start = new DateTimeOffset(2031, 3, 2, 10, 0, 0, TimeSpan.Zero);
        var change = start.AddMinutes(20);
        await using (var db = app.NewDbContext())
        {
            db.OnPremRates.Add(new OnPremRate { EffectiveFrom = start.AddDays(-1), UsdPerGpuHour = 1.5m, CreatedAt = T0 });
            db.OnPremRates.Add(new OnPremRate { EffectiveFrom = change, UsdPerGpuHour = 2.25m, CreatedAt = T0 });
            await db.SaveChangesAsync();
        }
        var allocation = await app.AddClosedAsync(job, CapacityType.OnPrem, "slurm", 6m, 4, start, start.AddMinutes(50));

        await app.RecordAsync(allocation.Id);

        var entries = await app.EntriesAsync(allocation.Id);
        Assert.Equal([start, change], entries.Select(e => e.StartedAt));
        Assert.Equal([6m, 9m], entries.Select(e => e.PricePerHour));
        Assert.Equal([2m, 4.5m], entries.Select(e => e.Cost));
        Assert.Equal([1.333333m, 2m], entries.Select(e => e.GpuHours));
        Assert.All(entries, e => Assert.Equal("broker", e.Note));
        Assert.All(entries, e => Assert.NotNull(e.OnDemandPricePerHour));
    }

    [Fact]
    public async Task Concurrent_recorders_write_an_allocations_entries_exactly_once()
    {
        var job = await app.SubmitAsync("vision");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "azure", 27.197m, 8, T0, T0.AddHours(40),
            instanceType: "Standard_ND96isr_H100_v5", region: "eastus");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => app.RecordAsync(allocation.Id))));

        Assert.Single(outcomes, o => o == RecordOutcome.Recorded);
        var entries = await app.EntriesAsync(allocation.Id);
        Assert.Equal(3, entries.Count); // 09:00 to midnight, a whole day, midnight to 01:00
        Assert.Equal(Usd.ForSeconds(15 * 3600, 27.197m) + Usd.ForSeconds(24 * 3600, 27.197m) + Usd.ForSeconds(1 * 3600, 27.197m), entries.Sum(e => e.Cost));
        Assert.All(entries, e => Assert.Equal(e.Cost, e.OnDemandCost));
        Assert.Equal(RecordOutcome.AlreadyRecorded, await app.RecordAsync(allocation.Id));
    }

    [Fact]
    public async Task Recording_twice_in_the_callers_transaction_keeps_the_callers_own_changes_and_writes_one_entry_set()
    {
        var job = await app.SubmitAsync("vision");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "azure", 27.197m, 8, T0, T0.AddHours(2),
            instanceType: "Standard_ND96isr_H100_v5", region: "eastus");
        var before = new Budget { Team = $"tx-before-{Guid.NewGuid():N}", AmountUsd = 100m, UpdatedAt = T0 };
        var after = new Budget { Team = $"tx-after-{Guid.NewGuid():N}", AmountUsd = 200m, UpdatedAt = T0 };

        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<BrokerDbContext>();
            var recorder = s.GetRequiredService<CostRecorder>();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Budgets.Add(before);
            await recorder.RecordInClosingTransactionAsync(allocation, default);
            db.Budgets.Add(after);
            await recorder.RecordInClosingTransactionAsync(allocation, default);
            before.AmountUsd = 150m;
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return true;
        });

        await using var check = app.NewDbContext();
        var budgets = await check.Budgets.AsNoTracking().Where(b => b.Team == before.Team || b.Team == after.Team)
            .OrderBy(b => b.AmountUsd).Select(b => b.AmountUsd).ToListAsync();
        Assert.Equal([150m, 200m], budgets);
        var entries = await app.EntriesAsync(allocation.Id);
        Assert.Equal(entries.Count, Assert.Single(await check.CostRecordings.AsNoTracking().Where(r => r.AllocationId == allocation.Id).ToListAsync()).Entries);
        Assert.Equal(entries.Count, entries.Select(e => e.Part).Distinct().Count());
        Assert.NotEmpty(entries);
    }

    [Fact]
    public async Task The_sweep_prices_every_closed_allocation_once_and_leaves_live_ones()
    {
        var job = await app.SubmitAsync("sweep");
        var closed = await app.AddClosedAsync(job, CapacityType.OnPrem, "slurm", 1.2m, 1, T0, T0.AddMinutes(5));
        await using (var db = app.NewDbContext())
        {
            var live = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == closed.Id);
            live.Id = Guid.CreateVersion7();
            live.State = AllocationState.Running;
            db.Allocations.Add(live);
            await db.SaveChangesAsync();
        }

        var first = await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordClosedAsync(1000, default));
        var second = await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordClosedAsync(1000, default));

        Assert.True(first >= 1);
        Assert.Equal(0, second);
        Assert.Single(await app.EntriesAsync(closed.Id));
        await using var check = app.NewDbContext();
        Assert.False(await check.CostRecordings.AnyAsync(r => !check.Allocations.Any(a => a.Id == r.AllocationId && a.State == AllocationState.Closed)));
    }

    [Fact]
    public async Task The_ledger_refuses_updates_and_deletes()
    {
        var job = await app.SubmitAsync("vision");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnPrem, "slurm", 1.2m, 1, T0, T0.AddMinutes(1));
        await app.RecordAsync(allocation.Id);
        await using var db = app.NewDbContext();

        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlInterpolatedAsync($"UPDATE cost_entries SET cost = 0 WHERE allocation_id = {allocation.Id}"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM cost_entries WHERE allocation_id = {allocation.Id}"));

        Assert.Equal(PostgresErrorCodes.RestrictViolation, update.SqlState);
        Assert.Equal(PostgresErrorCodes.RestrictViolation, delete.SqlState);
        Assert.Equal(0.02m, Assert.Single(await app.EntriesAsync(allocation.Id)).Cost);
    }
}
