namespace Broker.Core.Simulation.Scenarios;

/// <summary>
/// A replay scenario: one JSON file (camelCase) naming the trace, the time window, the on-prem fleet, the cloud offers
/// with their prices and spot availability traces, GPU model equivalences, the deadline rule and the team policies.
/// Relative paths resolve against the scenario file's folder first, then the repository root.
/// </summary>
public sealed record Scenario
{
    public required string Name { get; init; }

    /// <summary>Every assumption the scenario makes, in words.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public required TraceSource Trace { get; init; }

    public TimeWindow Window { get; init; } = new();

    /// <summary>How Alibaba pods become jobs; required for the <c>alibaba-openb</c> format only.</summary>
    public AlibabaMapping? Alibaba { get; init; }

    /// <summary>Alibaba (or other raw) GPU names to the normalized models a job may use, e.g. "V100M16": ["V100-16GB"].</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GpuModelEquivalences { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Deadlines given to trace jobs that have none (Alibaba format only; CSV rows carry their own).</summary>
    public DeadlineRule? Deadlines { get; init; }

    public required OnPremFleet OnPrem { get; init; }

    public required CloudMarket Cloud { get; init; }

    /// <summary>Name to path of each spot availability trace (Can't Be Late JSON) that offers refer to.</summary>
    public IReadOnlyDictionary<string, string> SpotTraces { get; init; } = new Dictionary<string, string>();

    public required PolicySet Policy { get; init; }

    /// <summary>Cloud budget (USD) per team for the whole replay; teams not listed are unlimited.</summary>
    public IReadOnlyDictionary<string, decimal> Budgets { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Fair-share weight per team; teams not listed weigh 1.</summary>
    public IReadOnlyDictionary<string, double> Shares { get; init; } = new Dictionary<string, double>();

    public SimulationSettings Simulation { get; init; } = new();

    /// <summary>How users estimate runtimes and whether the engine learns from finished jobs; null is the oracle.</summary>
    public EstimateSettings? Estimates { get; init; }

    /// <summary>How Gavel's Philly jobs become trace jobs; required for the <c>gavel-philly</c> format only.</summary>
    public PhillyMapping? Philly { get; init; }
}

/// <param name="Mode"><c>oracle</c> (limit = real duration), <c>bluewaters</c> (limits drawn per team from a Blue Waters
/// user's real actual/requested ratios, file at <paramref name="Path"/>) or <c>trace</c> (the trace's own limit column).</param>
/// <param name="HashSeed">Prefix of the team→user and job→ratio hashes; change it to draw another assignment.</param>
/// <param name="Learn">Whether the engine plans with runtimes predicted from jobs finished so far (else the limits as given).</param>
/// <param name="MaxLimitS">The longest limit a user can ask for: Broker's API accepts estimates up to 30 days.</param>
public sealed record EstimateSettings(string Mode = EstimateModes.Oracle, string? Path = null, string HashSeed = "", bool Learn = true,
    long MaxLimitS = 30 * 86400);

public static class EstimateModes
{
    public const string Oracle = "oracle";
    public const string BlueWaters = "bluewaters";
    public const string Trace = "trace";
}

/// <param name="Throughputs">Gavel's simulation_throughputs.json (duration = total_steps / the job type's V100 steps/s at its scale).</param>
/// <param name="Teams">Jobs are spread over this many teams by a stable hash of the job id.</param>
/// <param name="GpuModels">Models a job may use (Gavel's durations are V100 figures).</param>
/// <param name="SpotOkFraction">Share (by hash) of jobs that tolerate spot interruptions.</param>
/// <param name="CheckpointFraction">Share (by hash) of spot-tolerant jobs at least <paramref name="CheckpointMinDurationS"/> long that checkpoint.</param>
public sealed record PhillyMapping(
    string Throughputs,
    int Teams,
    IReadOnlyList<string> GpuModels,
    double SpotOkFraction,
    double CheckpointFraction,
    long CheckpointIntervalS,
    long CheckpointMinDurationS,
    string HashSeed = "");

/// <param name="Format"><c>alibaba-openb</c> or <c>csv</c> (the generic job format).</param>
public sealed record TraceSource(string Path, string Format);

/// <summary>Either <see cref="LastDays"/> (ending at the last submit in the trace) or explicit start/end seconds.</summary>
public sealed record TimeWindow(double? LastDays = null, long? StartS = null, long? EndS = null);

/// <param name="Teams">Jobs are spread over this many teams by a stable hash of the pod name.</param>
/// <param name="PriorityByQos">Priority per QoS class (higher first within a team).</param>
/// <param name="SpotOkQos">QoS classes whose jobs tolerate spot interruptions.</param>
/// <param name="CheckpointFraction">Share (by hash) of spot-tolerant jobs at least <paramref name="CheckpointMinDurationS"/> long that checkpoint.</param>
/// <param name="HashSeed">Prefix for every hash-based assignment (team, deadline, checkpointing); change it to draw another
/// assignment of the same trace, e.g. to measure how sensitive the results are to it.</param>
/// <param name="GpuShares">Keep a fractional GPU (gpu_milli &lt; 1000) as a share of one GPU instead of rounding it up to a
/// whole GPU; the on-prem nodes then need <see cref="NodeGroup.ShardsPerGpu"/>.</param>
public sealed record AlibabaMapping(
    int Teams,
    IReadOnlyDictionary<string, int> PriorityByQos,
    IReadOnlyList<string> SpotOkQos,
    double CheckpointFraction,
    long CheckpointIntervalS,
    long CheckpointMinDurationS,
    string HashSeed = "",
    bool GpuShares = false);

/// <summary>A deadline = submit + SlackFactor × duration + MinSlackS for a hash-chosen <see cref="Fraction"/> of jobs.</summary>
public sealed record DeadlineRule(double Fraction, double SlackFactor, long MinSlackS);

public sealed record OnPremFleet(decimal RatePerGpuHour, IReadOnlyList<NodeGroup> Nodes);

/// <summary><paramref name="Count"/> nodes named prefix-01.. with <paramref name="GpusPerNode"/> GPUs each.</summary>
/// <param name="Names">The nodes' own names instead (as many as <paramref name="Count"/>), e.g. a real cluster's.</param>
/// <param name="ShardsPerGpu">Slurm gres/shard granularity of each GPU (ADR 0011): a share is rounded up to it; 0 (the default)
/// means the nodes' GPUs cannot be shared.</param>
public sealed record NodeGroup(string Prefix, int Count, int GpusPerNode, string GpuModel, int GpuMemoryGb,
    IReadOnlyList<string>? Names = null, int ShardsPerGpu = 0)
{
    public string NodeName(int index) => Names is { } names ? names[index] : $"{Prefix}-{index + 1:00}";
}

/// <param name="StartupS">Billed boot time before a cloud instance does useful work.</param>
/// <param name="MinimumBilledS">Shortest billed instance lifetime.</param>
/// <param name="BlockTtlS">How long a spot market stays blocked after an interruption or a failed launch.</param>
/// <param name="SpotRateWindowS">Trailing window over which the observed spot interruption rate is measured.</param>
public sealed record CloudMarket(
    long StartupS,
    long MinimumBilledS,
    long BlockTtlS,
    long SpotRateWindowS,
    IReadOnlyList<ScenarioOffer> Offers);

/// <param name="SpotTrace">Key into <see cref="Scenario.SpotTraces"/>; required when the offer has a spot price.</param>
/// <param name="Source">Where the prices were copied from (file and row).</param>
public sealed record ScenarioOffer(
    string Provider,
    string Region,
    string? Zone,
    string InstanceType,
    string GpuModel,
    int Gpus,
    int GpuMemoryGb,
    decimal OnDemandPerHour,
    decimal? SpotPerHour,
    string? SpotTrace,
    string Source);

public sealed record PolicySet(PolicySettings Default, IReadOnlyDictionary<string, PolicySettings>? Teams = null);

/// <param name="MaxSlowdown">Burst only once waiting would make (wait + run) / run exceed this; null for none.</param>
/// <param name="WaitPricePerGpuHour">USD an hour of waiting costs per GPU; null for none.</param>
/// <param name="SpotEscalateAfter">Interruptions and failed spot launches in one zone before a job moves; null for the default (2).</param>
/// <param name="MaxPreemptionsPerJob">Interruptions after which a job gets no more spot; null for the default (3).</param>
public sealed record PolicySettings(
    bool AllowBurst,
    bool AllowSpot,
    double MaxWaitMinutes,
    decimal? MaxPricePerGpuHour,
    IReadOnlyList<string>? AllowedProviders = null,
    IReadOnlyList<string>? AllowedRegions = null,
    double? MaxSlowdown = null,
    decimal? WaitPricePerGpuHour = null,
    int? SpotEscalateAfter = null,
    int? MaxPreemptionsPerJob = null);

/// <param name="PassIntervalS">Placement passes run at most this often (and whenever something changed after that).</param>
/// <param name="DrainDays">After the window, keep simulating this long for queued and running jobs to finish.</param>
/// <param name="SampleIntervalS">Spacing of the chart's time series.</param>
public sealed record SimulationSettings(long PassIntervalS = 60, double DrainDays = 60, long SampleIntervalS = 3600);
