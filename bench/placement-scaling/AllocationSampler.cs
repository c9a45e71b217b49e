using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// The runtime's own allocation sampling (GCAllocationTick: one event per ~100 KB allocated, naming the type that crossed
/// the mark), summed by type: where a pass's bytes go without an external profiler. Sampled, so small types are noisy.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<(string Size, string Type), long> bytesByType = new();

    /// <summary>The size whose pass is running (its samples are counted), or null between passes.</summary>
    public string? Recording { get; set; }

    public IReadOnlyList<(string Type, long Bytes)> Top(string size, int count) =>
        [.. bytesByType.Where(p => p.Key.Size == size).OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key.Type, p.Value))];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (Recording is not { } size || !e.EventName!.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a]) : 100_000;
        bytesByType.AddOrUpdate((size, type), amount, (_, total) => total + amount);
    }
}
