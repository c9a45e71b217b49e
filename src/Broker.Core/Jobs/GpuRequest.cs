namespace Broker.Core.Jobs;

/// <summary>How many GPUs a job needs on one node or instance, which models it accepts (empty: any) and how much memory each needs.</summary>
public sealed class GpuRequest
{
    public int Count { get; set; }

    public List<string> Models { get; set; } = [];

    public int? MinMemoryGb { get; set; }

    /// <summary>A fraction of one GPU (0 &lt; share &lt; 1) the job shares with others; null for whole GPUs.</summary>
    public decimal? Share { get; set; }

    /// <summary>A MIG profile such as <c>1g.10gb</c> the job runs in; null for whole GPUs.</summary>
    public string? MigProfile { get; set; }

    public bool IsFractional => Share is not null || MigProfile is not null;
}
