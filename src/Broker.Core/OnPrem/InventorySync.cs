using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.OnPrem;

/// <summary>
/// Copies the cluster's inventory into the database and records one utilization sample per node. An unreachable cluster
/// marks every node absent (so the engine sees no on-prem capacity) and records no samples. Running twice for the same
/// minute writes the same node rows and one sample per node and minute (a unique index keeps the second out).
/// </summary>
public sealed class InventorySync(BrokerDbContext db, IOnPremCluster cluster, TimeProvider clock, ILogger<InventorySync> logger)
{
    public sealed record Result(bool Available, string? Reason, int Nodes, int Samples);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var inventory = await cluster.GetInventoryAsync(ct);
        var now = PostgresTime.Now(clock);
        var minute = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var known = await db.OnPremNodes.ToDictionaryAsync(n => n.Name, StringComparer.Ordinal, ct);
        if (!inventory.Available)
        {
            logger.LogWarning("On-prem cluster unavailable: {Reason}", inventory.UnavailableReason);
            foreach (var node in known.Values)
            {
                node.Present = false;
            }
            await db.SaveChangesAsync(ct);
            return new Result(false, inventory.UnavailableReason, 0, 0);
        }

        foreach (var info in inventory.Nodes)
        {
            if (!known.TryGetValue(info.Name, out var node))
            {
                node = new OnPremNodeRecord { Name = info.Name };
                db.OnPremNodes.Add(node);
                known[info.Name] = node;
            }
            node.GpuModel = info.GpuModel;
            node.GpuTotal = info.GpuTotal;
            node.GpuUsed = info.GpuUsed;
            node.State = info.State;
            node.Cpus = info.Cpus;
            node.MemoryMb = info.MemoryMb;
            node.ShardTotal = info.ShardTotal;
            node.ShardsInUse = info.ShardsInUseByGpu is { Count: > 0 } shards ? [.. shards] : null;
            node.ShardHolders = node.ShardsInUse is not null && info.ShardHolders is { Count: > 0 } holders
                ? [.. holders.Select(h => $"{h.AllocationId:D}:{h.SharedGpu}")]
                : null;
            node.MigSlices = info.Mig is { Count: > 0 } mig ? [.. mig.Select(m => $"{m.Profile}:{m.Total}:{m.Used}")] : null;
            node.LastSeenAt = now;
            node.Present = true;
        }
        var listed = inventory.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in known.Values.Where(n => !listed.Contains(n.Name)))
        {
            gone.Present = false;
        }
        await db.SaveChangesAsync(ct);

        var samples = 0;
        foreach (var info in inventory.Nodes.Where(n => n.GpuTotal > 0))
        {
            samples += await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO node_utilization_samples (at, node, gpu_model, gpu_used, gpu_total)
                VALUES ({minute}, {info.Name}, {info.GpuModel}, {info.GpuUsed}, {info.GpuTotal})
                ON CONFLICT (node, at) DO NOTHING
                """, ct);
        }
        return new Result(true, null, inventory.Nodes.Count, samples);
    }
}
