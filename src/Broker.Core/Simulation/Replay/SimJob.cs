using Broker.Core.Placement;

namespace Broker.Core.Simulation.Replay;

internal enum SimJobState
{
    Pending,
    Running,
    Done,
}

/// <summary>A trace job's life in the replay: its pending view for the engine, progress, and timings.</summary>
internal sealed class SimJob(TraceJob trace)
{
    private readonly List<SpotStrike> strikes = [];
    private PendingJob? pending;

    public TraceJob Trace { get; } = trace;

    public SimJobState State { get; set; } = SimJobState.Pending;

    /// <summary>On-prem pools the job could run on (set by the fleet on first arrival).</summary>
    public int[]? Pools { get; set; }

    public long SavedS { get; private set; }

    public int Attempts { get; set; }

    public int Interruptions { get; private set; }

    public long? FirstStartS { get; set; }

    /// <summary>Spot launches refused for lack of capacity.</summary>
    public int FailedSpotLaunches { get; private set; }

    /// <summary>How far past its policy's wait limit (max wait, max slowdown) the job burst; null when it did not burst first.</summary>
    public long? BurstPastLimitS { get; set; }

    public long? CompletedS { get; set; }

    public long RemainingS => Trace.DurationS - SavedS;

    /// <summary>The runtime the engine plans with (the real one only in oracle replays); see <see cref="ReplayRuntimeModel"/>.</summary>
    public long PlannedS { get; private set; } = trace.DurationS;

    /// <summary>The runtime model's generation <see cref="PlannedS"/> came from (-1: not yet planned).</summary>
    public int PlannedGeneration { get; private set; } = -1;

    public void Plan(long plannedS, int generation)
    {
        if (plannedS != PlannedS)
        {
            pending = null;
        }
        PlannedS = plannedS;
        PlannedGeneration = generation;
    }

    public PendingJob Pending => pending ??= new PendingJob(
        Trace.JobId,
        Trace.Team,
        Trace.Gpus,
        Trace.GpuModels,
        Trace.MinGpuMemoryGb,
        TimeSpan.FromSeconds(PlannedS),
        Trace.DeadlineS is { } d ? ReplayClock.At(d) : null,
        Trace.Priority,
        Trace.SpotOk,
        Trace.CheckpointS is { } c ? TimeSpan.FromSeconds(c) : null,
        Trace.MaxPricePerGpuHour,
        ReplayClock.At(Trace.SubmitS),
        Attempts,
        Interruptions,
        TimeSpan.FromSeconds(SavedS),
        Trace.OnPremRefusal,
        SpotStrikes: strikes.Count == 0 ? null : strikes.ToArray(),
        GpuShare: Trace.GpuShare,
        RequeuedAt: RequeuedS is { } r ? ReplayClock.At(r) : null);

    /// <summary>A spot interruption (recorded with <see cref="Interrupted"/>) or a failed spot launch, and where.</summary>
    public void Strike(SpotStrike strike)
    {
        strikes.Add(strike);
        FailedSpotLaunches += strike.Kind == SpotStrikeKind.FailedLaunch ? 1 : 0;
        pending = null;
    }

    /// <summary>When the job last went back to the queue after a run; null when it has never run.</summary>
    public long? RequeuedS { get; private set; }

    public void Interrupted(long savedS, long t)
    {
        RequeuedS = t;
        SavedS += savedS;
        Interruptions++;
        PlannedGeneration = -1;
        State = SimJobState.Pending;
        pending = null;
    }

    /// <summary>Times the job moved from the cloud back on-prem (at most once); not an interruption.</summary>
    public int Migrations { get; private set; }

    /// <summary>The job leaves its cloud run at a move back on-prem, keeping its last checkpoint.</summary>
    public void Migrated(long savedS)
    {
        SavedS += savedS;
        Migrations++;
        pending = null;
    }

    /// <summary>Times the job was moved between on-prem nodes to free a node for a larger job (at most once).</summary>
    public int NodeFreeingMoves { get; private set; }

    /// <summary>True once the job moved by either rule (back on-prem, or off a node to free it): as live, where both count in
    /// <c>jobs.migrations</c>, a job moves at most once.</summary>
    public bool MovedOnce => Migrations + NodeFreeingMoves > 0;

    /// <summary>The job leaves its on-prem run to free the node, keeping its last checkpoint; it restarts on another node at once.</summary>
    public void MovedOffNode(long savedS)
    {
        SavedS += savedS;
        NodeFreeingMoves++;
        pending = null;
    }

    public void Launched()
    {
        Attempts++;
        pending = null;
    }
}

/// <summary>Maps trace seconds onto the engine's clock.</summary>
public static class ReplayClock
{
    public static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    public static DateTimeOffset At(long seconds) => Epoch.AddSeconds(seconds);

    /// <summary>Trace seconds for an engine time, rounded up so a retry never happens before it is due.</summary>
    public static long Seconds(DateTimeOffset at) =>
        at >= DateTimeOffset.MaxValue.AddDays(-1) ? long.MaxValue : (long)Math.Ceiling((at - Epoch).TotalSeconds);
}
