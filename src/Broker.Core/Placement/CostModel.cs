namespace Broker.Core.Placement;

/// <summary>
/// Expected cloud cost of a run. On-demand: price × (work + boot). Spot: price × (work + boot) × (1 + P(interrupted during
/// the run) × rework fraction), where P = 1 − e^(−rate × hours) and the rework fraction is checkpoint interval / work for
/// checkpointing jobs and a fixed share (0.5 by default) otherwise.
/// </summary>
public static class CostModel
{
    public static decimal OnDemand(decimal pricePerHour, TimeSpan work, TimeSpan startup) =>
        pricePerHour * (decimal)(work + startup).TotalHours;

    public static decimal SpotExpected(decimal pricePerHour, double interruptionsPerHour, TimeSpan work, TimeSpan startup,
        TimeSpan? checkpointInterval, double nonCheckpointRework)
    {
        var hours = work.TotalHours;
        var interruption = 1 - Math.Exp(-Math.Max(0, interruptionsPerHour) * hours);
        var factor = 1 + interruption * ReworkFraction(work, checkpointInterval, nonCheckpointRework);
        return pricePerHour * (decimal)((work + startup).TotalHours * factor);
    }

    /// <summary>Share of the run an interruption throws away.</summary>
    public static double ReworkFraction(TimeSpan work, TimeSpan? checkpointInterval, double nonCheckpointRework) =>
        checkpointInterval is { } interval && interval > TimeSpan.Zero && work > TimeSpan.Zero
            ? Math.Min(1, interval / work)
            : nonCheckpointRework;
}
