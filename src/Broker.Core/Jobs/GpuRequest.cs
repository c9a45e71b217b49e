namespace Broker.Core.Jobs;

/// <summary>How many GPUs a job needs on one node or instance, which models it accepts (empty: any) and how much memory each needs.</summary>
public sealed class GpuRequest
{
    public int Count { get; set; }

    public List<string> Models { get; set; } = [];

    public int? MinMemoryGb { get; set; }
}
