namespace Broker.Api.Tests.Chaos;

public enum FaultKind
{
    ReplicaKill,
    PostgresRestart,
    SlurmrestdStop,
    CapacityError,
    Throttling,
    LostCreate,
    SpotInterruption,
    DuplicateCallback,
    LateCallback,
    GangSpotInterruption,
}

/// <summary>One fault at a moment of the soak (from its start); <paramref name="Length"/> is how long an outage lasts.</summary>
public sealed record Fault(TimeSpan At, FaultKind Kind, TimeSpan Length, int Target);

/// <summary>
/// The faults of one soak, drawn from its seed: how many of each kind grows with the submit window (at least one of each),
/// at uniform moments inside it. The same seed and window give the same schedule.
/// </summary>
public static class FaultSchedule
{
    /// <summary>Faults per minute of submit window.</summary>
    private static readonly Dictionary<FaultKind, double> PerMinute = new()
    {
        [FaultKind.ReplicaKill] = 1.2,
        [FaultKind.PostgresRestart] = 0.3,
        [FaultKind.SlurmrestdStop] = 0.15,
        [FaultKind.CapacityError] = 1,
        [FaultKind.Throttling] = 1,
        [FaultKind.LostCreate] = 1,
        [FaultKind.SpotInterruption] = 1.5,
        [FaultKind.DuplicateCallback] = 1,
        [FaultKind.LateCallback] = 1,
        // Last, so that drawing it leaves the moments of every earlier kind as they were.
        [FaultKind.GangSpotInterruption] = 0.5,
    };

    public static IReadOnlyList<Fault> Draw(int seed, TimeSpan window, int replicas, TimeSpan slurmOutageMin, TimeSpan slurmOutageMax)
    {
        var random = new Random(seed);
        var faults = new List<Fault>();
        // Nothing in the first ten seconds (the first jobs are being placed) nor in the last tenth (let faults land before the drain).
        var from = TimeSpan.FromSeconds(10);
        var to = window * 0.9;
        foreach (var (kind, rate) in PerMinute)
        {
            var count = Math.Max(1, (int)Math.Round(rate * window.TotalMinutes));
            for (var i = 0; i < count; i++)
            {
                // A gang interruption waits for a spot gang to run, and the workload sends its gangs in the first 60 %.
                var at = from + (to - from) * (kind == FaultKind.GangSpotInterruption ? 0.5 : 1) * random.NextDouble();
                var length = kind switch
                {
                    FaultKind.ReplicaKill => TimeSpan.FromSeconds(random.Next(2, 8)),
                    FaultKind.PostgresRestart => TimeSpan.FromSeconds(random.Next(3, 8)),
                    FaultKind.SlurmrestdStop => slurmOutageMin + (slurmOutageMax - slurmOutageMin) * random.NextDouble(),
                    _ => TimeSpan.Zero,
                };
                if (kind == FaultKind.SlurmrestdStop && at + length > window)
                {
                    at = window - length < from ? from : window - length;
                }
                faults.Add(new Fault(at, kind, length, random.Next(replicas)));
            }
        }
        return [.. faults.OrderBy(f => f.At)];
    }
}
