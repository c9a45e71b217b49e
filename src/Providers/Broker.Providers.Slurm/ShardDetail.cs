using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Providers.Slurm;

/// <summary>The shards one job holds on one node: <paramref name="Shards"/> of the GPU at <paramref name="GpuIndex"/>.</summary>
/// <param name="AllocationId">The Broker allocation the job runs (its name), or null for a job not Broker's.</param>
public sealed record ShardGrant(Guid? AllocationId, int GpuIndex, int Shards);

/// <summary>
/// Reads a shared job's shards and its GPU from one node's entry of slurmrestd's job <c>gres_detail</c> (v0.0.38, Slurm
/// 22.05), as measured on the local cluster: <c>shard:1(IDX:0)</c>, typed <c>shard:l4:3(IDX:1)</c>, and next to other GRES
/// (<c>gpu:0,shard:2(IDX:3)</c>). A job's shards all come from one GPU; an index list or range, or none
/// (<c>IDX:N/A</c>), says no single GPU, so the job's GPU stays unknown.
/// </summary>
public static partial class ShardDetail
{
    public static (int Shards, int GpuIndex)? Parse(string? detail)
    {
        if (detail is null || Pattern().Match(detail) is not { Success: true } match)
        {
            return null;
        }
        return int.TryParse(match.Groups["shards"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var shards)
            && int.TryParse(match.Groups["gpu"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var gpu) && shards > 0
            ? (shards, gpu)
            : null;
    }

    [GeneratedRegex(@"(?:^|,)shard(?::[^:(,]+)?:(?<shards>[0-9]{1,6})\(IDX:(?<gpu>[0-9]{1,4})\)")]
    private static partial Regex Pattern();
}
