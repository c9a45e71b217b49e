using Broker.Core.Policies;

namespace Broker.Core.Scheduling;

/// <summary>Configuration section <c>Placement</c>: the live strategy and the burst policy of teams without their own.</summary>
public sealed class PlacementSettings
{
    public string Strategy { get; set; } = "broker";

    public bool AllowBurst { get; set; } = true;

    public bool AllowSpot { get; set; } = true;

    public List<string> AllowedProviders { get; set; } = [];

    public List<string> AllowedRegions { get; set; } = [];

    public TimeSpan MaxWaitBeforeBurst { get; set; } = TimeSpan.FromMinutes(10);

    public decimal? MaxPricePerGpuHour { get; set; }

    /// <summary>Amortized $/GPU-hour of on-prem GPUs, charged back so finance compares like with like.</summary>
    public decimal OnPremRatePerGpuHour { get; set; } = 1.20m;

    /// <summary>Most pending jobs one pass looks at (oldest first).</summary>
    public int MaxJobsPerPass { get; set; } = 10_000;

    public BurstPolicy DefaultPolicy() => new("*", AllowBurst, AllowedProviders, AllowedRegions, AllowSpot, MaxWaitBeforeBurst,
        MaxPricePerGpuHour, OnPremRatePerGpuHour);
}
