namespace Broker.Core.Placement;

/// <summary>One unit of configured capacity: an on-prem node, or one instance of a cloud offer.</summary>
/// <param name="Where">The node name, or provider/region/zone/instance type.</param>
/// <param name="ShardsPerGpu">An on-prem node's gres/shard granularity; 0 when its GPUs cannot be shared.</param>
public sealed record CapacityUnit(string Where, bool OnPrem, string GpuModel, int GpuMemoryGb, int Gpus, int ShardsPerGpu = 0);

/// <summary>A job's GPU request as the capacity check reads it (models normalized; empty for any).</summary>
/// <param name="Shared">A share of one GPU (ADR 0011): on-prem only a node whose GPUs can be shared can run it.</param>
public sealed record GpuRequestShape(int Count, IReadOnlyList<string> Models, int MinMemoryGb, bool Shared = false);

/// <summary>
/// Whether any configured capacity could ever run the request, and if not which request field rules it out and why.
/// <paramref name="Field"/> is the JSON path a 422 names (<c>gpu.models</c>, <c>gpu.minMemoryGb</c> or <c>gpu.count</c>).
/// </summary>
public sealed record CapacityVerdict(bool Feasible, string? Field, string Reason, IReadOnlyList<string> Options);

/// <summary>
/// The "could this ever run" check behind the 422 for impossible jobs (ADR 0012). It looks at capacity as configured (every
/// present node, drained or not, and every offer of a configured provider, available or not): a node that is down today
/// comes back, but a model nobody has never appears. A job fits on one node or instance, or as an on-prem gang of whole
/// nodes of one model (<see cref="GangShape"/>), or as a cloud gang of equal whole instances of one type, the largest size of
/// the model that divides the job, at most <see cref="MaxGangMembers"/> (the engine's rule, <c>OfferIndex</c>).
/// </summary>
public static class CapacityFeasibility
{
    /// <summary>The most nodes one gang may span; beyond it a job is refused rather than planned against the whole site.</summary>
    public const int MaxGangMembers = 16;

    public static CapacityVerdict Check(GpuRequestShape request, IReadOnlyList<CapacityUnit> capacity)
    {
        var ofModel = capacity.Where(u => u.Gpus > 0
            && (request.Models.Count == 0 || request.Models.Contains(u.GpuModel, StringComparer.OrdinalIgnoreCase))).ToList();
        if (ofModel.Count == 0)
        {
            return Refuse(request.Models.Count == 0 ? "gpu.count" : "gpu.models", request.Models.Count == 0
                ? "no on-prem node or cloud offer with GPUs is configured"
                : $"no on-prem node or cloud offer has GPUs of model {string.Join(" or ", request.Models)}");
        }
        var usable = ofModel.Where(u => u.GpuMemoryGb >= request.MinMemoryGb).ToList();
        if (usable.Count == 0)
        {
            return Refuse("gpu.minMemoryGb",
                $"the acceptable GPUs have at most {ofModel.Max(u => u.GpuMemoryGb)} GB of memory, the job asks for {request.MinMemoryGb} GB");
        }
        var options = new List<string>();
        foreach (var pool in usable.Where(u => u.OnPrem && (!request.Shared || u.ShardsPerGpu > 0)).GroupBy(u => u.GpuModel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (GangShape.Fit(request.Count, [.. pool.Select(u => u.Gpus)], MaxGangMembers) is { } shape)
            {
                options.Add(shape.IsGang
                    ? $"on-prem gang of {shape.Members} {pool.Key} nodes x {shape.GpusPerMember} GPUs"
                    : $"one on-prem {pool.Key} node");
            }
        }
        var instance = usable.Where(u => !u.OnPrem && u.Gpus >= request.Count).OrderBy(u => u.Gpus).ThenBy(u => u.Where, StringComparer.Ordinal).FirstOrDefault();
        if (instance is not null)
        {
            options.Add($"one cloud instance ({instance.Where}, {instance.Gpus} {instance.GpuModel})");
        }
        else
        {
            options.AddRange(CloudGangs(request.Count, usable));
        }
        if (options.Count > 0)
        {
            return new CapacityVerdict(true, null, $"{request.Count} GPUs fit: {string.Join("; ", options)}", options);
        }
        return request.Shared
            ? Refuse("gpu.share", "no on-prem node of an acceptable model can share a GPU (no gres/shard) and no cloud offer of one is configured")
            : Refuse("gpu.count", $"{request.Count} GPUs fit nowhere: {Largest(usable)}");
    }

    private static IEnumerable<string> CloudGangs(int count, List<CapacityUnit> usable)
    {
        foreach (var pool in usable.Where(u => !u.OnPrem).GroupBy(u => u.GpuModel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var size = pool.Select(u => u.Gpus).Where(g => count % g == 0 && count / g is > 1 and <= MaxGangMembers).DefaultIfEmpty(0).Max();
            if (size > 0)
            {
                var unit = pool.Where(u => u.Gpus == size).OrderBy(u => u.Where, StringComparer.Ordinal).First();
                yield return $"cloud gang of {count / size} x {unit.Where} ({size} {pool.Key} GPUs each)";
            }
        }
    }

    private static string Largest(List<CapacityUnit> usable)
    {
        var parts = new List<string>();
        foreach (var pool in usable.Where(u => u.OnPrem).GroupBy(u => u.GpuModel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            parts.Add($"on-prem {pool.Key}: {pool.Count()} nodes of at most {pool.Max(u => u.Gpus)} GPUs (a gang needs an equal share per node, at most {MaxGangMembers} nodes)");
        }
        if (usable.Where(u => !u.OnPrem).OrderByDescending(u => u.Gpus).FirstOrDefault() is { } biggest)
        {
            parts.Add($"cloud instances of at most {biggest.Gpus} GPUs ({biggest.GpuModel}; a cloud gang needs equal whole instances of one type, at most {MaxGangMembers})");
        }
        return string.Join("; ", parts);
    }

    private static CapacityVerdict Refuse(string field, string reason) => new(false, field, reason, []);
}
