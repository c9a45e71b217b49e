using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs;

/// <summary>Builds the <see cref="LifetimeCosting"/> of one allocation from the price history, the rates and the catalog.</summary>
public sealed class SegmentPricing(BrokerDbContext db, OnPremRates rates)
{
    public async Task<LifetimeCosting> ForAsync(Allocation a, Job job, SegmentLifetime life, CancellationToken ct) => a.IsOnPrem
        ? await OnPremAsync(a, job, life, ct)
        : await CloudAsync(a, life, ct);

    /// <summary>
    /// The rate × GPUs over time; the counterfactual is the cheapest on-demand offer in the catalog with at least the
    /// segment's GPUs of its model (else of a model the job accepts), billed by that offer's provider's rule.
    /// </summary>
    private async Task<LifetimeCosting> OnPremAsync(Allocation a, Job job, SegmentLifetime life, CancellationToken ct)
    {
        // A shared job (ADR 0011) is charged its share of the one GPU it runs on, not the GPU; a MIG slice its compute slices of 7.
        var part = job.Gpu.Share is { } share && a.Gpus == 1 ? share
            : job.Gpu.MigProfile is { } profile && a.Gpus == 1 ? Placement.MigProfiles.GpuFraction(profile) : a.Gpus;
        var rate = (await rates.PerGpuHourAsync(ct)).Times(part);
        var fitting = db.Offers.AsNoTracking().Where(o => o.Available && o.GpuCount >= a.Gpus);
        var cheapest = await fitting.Where(o => o.GpuModel == a.GpuModel).OrderBy(o => o.OnDemandPerHour).ThenBy(o => o.Id).FirstOrDefaultAsync(ct)
            ?? await fitting.Where(o => job.Gpu.Models.Contains(o.GpuModel)).OrderBy(o => o.OnDemandPerHour).ThenBy(o => o.Id).FirstOrDefaultAsync(ct);
        return new LifetimeCosting(life.Start, life.End, a.Gpus, rate, BillingRule.OnPrem, false,
            cheapest is null ? null : PriceTimeline.Constant(cheapest.OnDemandPerHour), BillingRule.For(cheapest?.Provider ?? "slurm"));
    }

    /// <summary>
    /// The allocation's price from its placement on, changed wherever the offer's price history says it changed; the
    /// counterfactual is the same instance type on-demand over the same time.
    /// </summary>
    private async Task<LifetimeCosting> CloudAsync(Allocation a, SegmentLifetime life, CancellationToken ct)
    {
        var history = await db.OfferPriceChanges.AsNoTracking()
            .Where(c => c.Provider == a.Provider && c.Region == a.Region && c.Zone == a.Zone && c.InstanceType == a.InstanceType && c.At < life.End)
            .OrderBy(c => c.At).ThenBy(c => c.Id).ToListAsync(ct);
        var price = new PriceTimeline(a.PricePerHour, history
            .Where(c => c.Market == a.Market && c.At > a.CreatedAt && c.PricePerHour is not null).Select(c => (c.At, c.PricePerHour!.Value)));
        var rule = BillingRule.For(a.Provider);
        var waived = a is { Market: CapacityType.Spot, End: AllocationEnd.Interrupted } && rule.SpotInterruptedInFirstHourFree
            && life.End - life.Start < TimeSpan.FromHours(1);
        var onDemand = a.Market == CapacityType.OnDemand ? price : await OnDemandTimelineAsync(a, life, history, ct);
        return new LifetimeCosting(life.Start, life.End, a.Gpus, price, rule, waived, onDemand, rule);
    }

    private async Task<PriceTimeline?> OnDemandTimelineAsync(Allocation a, SegmentLifetime life, List<OfferPriceChange> history, CancellationToken ct)
    {
        var changes = history.Where(c => c.Market == CapacityType.OnDemand).ToList();
        var initial = changes.LastOrDefault(c => c.At <= life.Start)?.PricePerHour
            ?? changes.FirstOrDefault(c => c.At > life.Start)?.PreviousPricePerHour;
        if (initial is null)
        {
            var offer = await db.Offers.AsNoTracking()
                .FirstOrDefaultAsync(o => o.Provider == a.Provider && o.Region == a.Region && o.Zone == a.Zone && o.InstanceType == a.InstanceType, ct);
            initial = offer?.OnDemandPerHour;
        }
        return initial is { } start
            ? new PriceTimeline(start, changes.Where(c => c.At > life.Start && c.PricePerHour is not null).Select(c => (c.At, c.PricePerHour!.Value)))
            : null;
    }
}
