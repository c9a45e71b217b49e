using System.Text.Json;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Api.Tests.Replicas;

/// <summary>What the shared database says after several replicas worked on it.</summary>
public static class ReplicaChecks
{
    private static readonly JobEventKind[] SegmentEnds =
        [JobEventKind.Finished, JobEventKind.Failed, JobEventKind.Cancelled, JobEventKind.Preempted, JobEventKind.Requeued];

    /// <summary>
    /// Sweeps every on-prem allocation over the time Broker held its GPUs: from the placement that wrote it (CreatedAt) to
    /// the move that released it (the job event written in the same transaction; EndedAt is later overwritten on close).
    /// A gang holds its equal share on each member node; a shared job holds its share rounded up to the node's shards, and
    /// the node's shared jobs take at least as many GPUs as their shards fill. Returns the worst overcommit found per node
    /// as text, empty when no node ever had more GPUs held than it has.
    /// </summary>
    public static async Task<IReadOnlyList<string>> OnPremOvercommitsAsync(BrokerDbContext db)
    {
        var nodes = await db.OnPremNodes.AsNoTracking().ToDictionaryAsync(n => n.Name);
        var allocations = await db.Allocations.AsNoTracking().Where(a => a.Provider == "slurm").ToListAsync();
        var jobIds = allocations.Select(a => a.JobId).Distinct().ToList();
        var shares = (await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).ToListAsync())
            .Where(j => j.Gpu.Share is not null).ToDictionary(j => j.Id, j => j.Gpu.Share!.Value);
        var ends = (await db.JobEvents.AsNoTracking().Where(e => jobIds.Contains(e.JobId) && SegmentEnds.Contains(e.Kind)).ToListAsync())
            .ToLookup(e => e.JobId);
        var problems = new List<string>();
        foreach (var node in allocations.SelectMany(a => a.Nodes.Select(n => (Node: n, Allocation: a))).GroupBy(p => p.Node, p => p.Allocation))
        {
            var total = nodes[node.Key].GpuTotal;
            var shardsPerGpu = total > 0 ? nodes[node.Key].ShardTotal / total : 0;
            var changes = node.SelectMany(a =>
            {
                var released = ends[a.JobId].Where(e => e.At >= a.CreatedAt).Select(e => (DateTimeOffset?)e.At).Min() ?? a.EndedAt ?? DateTimeOffset.MaxValue;
                var (whole, shards) = shares.TryGetValue(a.JobId, out var share) && shardsPerGpu > 0
                    ? (0, (int)Math.Ceiling(share * shardsPerGpu)) : (a.GpusOn(node.Key), 0);
                return new[] { (At: a.CreatedAt, Whole: whole, Shards: shards, Id: a.Id), (At: released, Whole: -whole, Shards: -shards, Id: a.Id) };
            }).OrderBy(c => c.At).ThenBy(c => c.Whole + c.Shards); // a release at the same instant counts before a placement
            var (heldWhole, heldShards) = (0, 0);
            foreach (var change in changes)
            {
                (heldWhole, heldShards) = (heldWhole + change.Whole, heldShards + change.Shards);
                var held = heldWhole + (shardsPerGpu > 0 ? (heldShards + shardsPerGpu - 1) / shardsPerGpu : 0);
                if (held > total)
                {
                    problems.Add($"{node.Key}: {held} of {total} GPUs held at {change.At:O} ({heldWhole} whole, {heldShards} shards; allocation {change.Id})");
                }
            }
        }
        return problems;
    }

    /// <summary>Jobs whose timeline does not end in exactly one terminal event, that being "finished".</summary>
    public static async Task<IReadOnlyList<Guid>> JobsWithoutOneFinishAsync(BrokerDbContext db)
    {
        var terminal = await db.JobEvents.AsNoTracking()
            .Where(e => e.Kind == JobEventKind.Finished || e.Kind == JobEventKind.Failed || e.Kind == JobEventKind.Cancelled)
            .GroupBy(e => e.JobId).Select(g => new { g.Key, Count = g.Count(), Finished = g.Count(e => e.Kind == JobEventKind.Finished) })
            .ToListAsync();
        var good = terminal.Where(t => t.Count == 1 && t.Finished == 1).Select(t => t.Key).ToHashSet();
        return [.. (await db.Jobs.AsNoTracking().Select(j => j.Id).ToListAsync()).Where(id => !good.Contains(id))];
    }

    /// <summary>Allocations per job that completed: exactly one each means no job's work was carried out twice.</summary>
    public static async Task<IReadOnlyList<Guid>> JobsWithoutOneCompletedSegmentAsync(BrokerDbContext db) =>
        [.. (await db.Allocations.AsNoTracking().Where(a => a.End == AllocationEnd.Completed).GroupBy(a => a.JobId)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync()).Where(g => g.Count != 1).Select(g => g.Key)
            .Union(await db.Jobs.AsNoTracking().Where(j => !db.Allocations.Any(a => a.JobId == j.Id && a.End == AllocationEnd.Completed))
                .Select(j => j.Id).ToListAsync())];

    /// <summary>
    /// How many times each Hangfire server started a job of the given type, from the Processing states Hangfire records
    /// (their data names the server: <c>host:pid:guid</c>), keyed by the process id.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, int>> ProcessingByPidAsync(string connectionString, string jobType)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT s.data::text FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.invocationdata::text LIKE @type
            """, connection);
        query.Parameters.AddWithValue("type", $"%{jobType}%");
        var counts = new Dictionary<int, int>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var data = JsonDocument.Parse(reader.GetString(0));
            var serverId = data.RootElement.GetProperty("ServerId").GetString()!;
            var pid = int.Parse(serverId.Split(':')[^2], System.Globalization.CultureInfo.InvariantCulture);
            counts[pid] = counts.GetValueOrDefault(pid) + 1;
        }
        return counts;
    }
}
