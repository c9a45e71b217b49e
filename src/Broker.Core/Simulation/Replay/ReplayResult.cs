namespace Broker.Core.Simulation.Replay;

/// <summary>Everything one replay produced: the summary, every run segment (sorted) and the chart series.</summary>
/// <param name="Learned">When each finished job entered the runtime model's history (empty when the replay does not learn).</param>
/// <param name="Predictions">What the engine planned with for each job when it first started.</param>
public sealed record ReplayResult(ReplaySummary Summary, IReadOnlyList<RunSegment> Segments, IReadOnlyList<ReplaySample> Samples)
{
    public IReadOnlyList<LearningEvent> Learned { get; init; } = [];

    public IReadOnlyList<JobPrediction> Predictions { get; init; } = [];

    public string Strategy => Summary.Strategy;
}

/// <summary>The headline figures of one replay. Money in USD, times in seconds, utilization in [0, 1].</summary>
/// <param name="OnPremCost">GPU-hours used on-prem × the amortized rate (what teams are charged back).</param>
/// <param name="OnPremCapacityCost">The whole fleet × window length × rate: what the fleet costs whether used or not.</param>
/// <param name="OnPremUtilization">Busy on-prem GPU time / fleet GPU time, within the trace window.</param>
/// <param name="OnPremUtilizationWhileWaiting">Busy / total GPU time of the pools some pending job could use, over those moments (window and drain).</param>
/// <param name="WaitSeconds">From submit to the first placement; jobs never placed count with their wait up to the end.</param>
/// <param name="MaxPreemptionsPerJob">The most spot interruptions any one job suffered.</param>
/// <param name="MaxFailedSpotLaunchesPerJob">The most failed spot launches of any one job.</param>
/// <param name="MaxWaitOverPolicyS">Among jobs whose first run was in the cloud: the most seconds a job burst after its
/// policy's wait limit (max wait, or the later max-slowdown moment) ran out; 0 when every burst came in time.</param>
public sealed record ReplaySummary(
    string Strategy,
    string Scenario,
    long WindowStartS,
    long WindowEndS,
    int Jobs,
    int JobsCompleted,
    int JobsUnfinished,
    decimal TotalCost,
    decimal OnPremCost,
    decimal CloudCost,
    MarketSpend CloudSpendByMarket,
    decimal OnPremCapacityCost,
    double OnPremUtilization,
    double OnPremUtilizationWhileWaiting,
    WaitStats WaitSeconds,
    int JobsWithDeadline,
    int DeadlineMisses,
    int Preemptions,
    int CloudLaunches,
    int FailedSpotLaunches,
    GpuHours GpuHours,
    int Passes,
    double PolicyMaxWaitSeconds,
    int MaxPreemptionsPerJob,
    int MaxFailedSpotLaunchesPerJob,
    double MaxWaitOverPolicyS)
{
    /// <summary>Cloud runs ended to move the job back on-prem (ADR 0009, amendment); not preemptions.</summary>
    public int Migrations { get; init; }

    /// <summary>On-prem runs ended to move the job to another node and free its node for a larger job (ADR 0009, session 30);
    /// counted with interruptions in <see cref="MaxPreemptionsPerJob"/>.</summary>
    public int NodeFreeingMoves { get; init; }
}

public sealed record MarketSpend(decimal Spot, decimal OnDemand);

public sealed record WaitStats(double P50, double P95, double P99, double Mean, double Max);

/// <summary>GPU-hours of run segments by where they ran (cloud hours include boot time and lost work).</summary>
public sealed record GpuHours(double OnPrem, double Spot, double OnDemand);
