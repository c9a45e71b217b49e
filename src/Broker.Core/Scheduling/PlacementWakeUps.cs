using Broker.Core.Placement;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Scheduling;

/// <summary>A timed placement pass that some replica has scheduled (one row per moment, so it is scheduled once).</summary>
public sealed class PlacementWakeUp
{
    public DateTimeOffset At { get; set; }
}

/// <summary>Runs a placement pass at a given moment (Hangfire's delayed jobs in the API).</summary>
public interface IPassScheduler
{
    void ScheduleAt(DateTimeOffset at);
}

/// <summary>
/// Timed passes: after a pass, the earliest moment a waiting job's wait limit runs out (<see cref="WaitDecision.LimitAt"/>,
/// rounded up to the second) gets a pass of its own, so the job bursts at its limit and not at the next regular pass. Every
/// replica may ask for the same moment; the primary key on <c>placement_wake_ups.at</c> lets exactly one of them schedule
/// it. If that replica dies between the insert and the schedule, the regular pass is the fallback (one pass interval late).
/// </summary>
public sealed class PlacementWakeUps(BrokerDbContext db, IPassScheduler scheduler)
{
    /// <summary>Rows this old are forgotten (their passes ran long ago).</summary>
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    /// <summary>The moment of the timed pass the plan asks for, or null when no waiting job has a limit ahead.</summary>
    public static DateTimeOffset? Next(PlacementPlan plan)
    {
        DateTimeOffset? next = null;
        foreach (var decision in plan.Decisions)
        {
            if (decision is WaitDecision { LimitAt: { } at } && at > plan.Now && (next is null || at < next))
            {
                next = at;
            }
        }
        return next is { } n ? CeilingToSecond(n) : null;
    }

    /// <summary>Schedules the plan's next timed pass unless another pass (here or on another replica) already did.</summary>
    public async Task<DateTimeOffset?> ScheduleAsync(PlacementPlan plan, CancellationToken ct)
    {
        if (Next(plan) is not { } at)
        {
            return null;
        }
        await ScheduleAtAsync(at, plan.Now, ct);
        return at;
    }

    /// <summary>
    /// A timed pass at <paramref name="at"/> (rounded up to the second) unless one is already scheduled then: e.g. right
    /// after a spot launch was refused, so many refusals at once share one pass.
    /// </summary>
    public async Task ScheduleAtAsync(DateTimeOffset at, DateTimeOffset now, CancellationToken ct)
    {
        at = CeilingToSecond(at);
        var cutoff = now - Keep;
        await db.PlacementWakeUps.Where(w => w.At < cutoff).ExecuteDeleteAsync(ct);
        var inserted = await db.Database.ExecuteSqlAsync($"INSERT INTO placement_wake_ups (at) VALUES ({at}) ON CONFLICT DO NOTHING", ct);
        if (inserted == 1)
        {
            scheduler.ScheduleAt(at);
        }
    }

    private static DateTimeOffset CeilingToSecond(DateTimeOffset at)
    {
        var rest = at.UtcTicks % TimeSpan.TicksPerSecond;
        return rest == 0 ? at : at.AddTicks(TimeSpan.TicksPerSecond - rest);
    }
}
