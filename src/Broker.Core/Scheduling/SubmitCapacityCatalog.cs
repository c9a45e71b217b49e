using System.Collections.Concurrent;
using Broker.Core.Capacity;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Scheduling;

/// <summary>
/// The configured capacity the submit checks (<see cref="CapacityCheck"/>, <see cref="Jobs.JobFitCheck"/>) judge against:
/// present GPU nodes and the configured clouds' offers, read in one pass and kept by the process for at most
/// <see cref="MaxAge"/>, where every submit used to read the whole catalog twice. Safe stale: a check refuses a job only
/// on a snapshot read for that refusal (<see cref="ReadAsync"/> with <c>fresh</c>), so a cached snapshot can only accept
/// a job that capacity removed in the last <see cref="MaxAge"/> no longer holds, as it would have been accepted a moment
/// earlier; capacity added is never refused for being new.
/// </summary>
public sealed class SubmitCapacityCatalog(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private Snapshot? current;

    public sealed record Node(string Name, string GpuModel, int GpuTotal, int Cpus, int MemoryMb, int ShardsPerGpu);

    public sealed record CloudOffer(string Provider, string Region, string? Zone, string InstanceType, string GpuModel, int GpuCount,
        double? GpuMemoryGb, int VCpus, double MemoryGb, bool Available);

    /// <param name="Fresh">Read for this call, not taken from the process's cache.</param>
    public sealed record Snapshot(IReadOnlyList<Node> Nodes, IReadOnlyList<CloudOffer> Offers, DateTimeOffset ReadAt, bool Fresh)
    {
        /// <summary>The most values one snapshot keeps; past it they are computed per call (a flood of distinct GPU shapes).</summary>
        public const int MaxDerived = 256;

        // Shared by the copies `with` makes (the cached snapshot handed out as not fresh): they hold the same rows.
        private readonly ConcurrentDictionary<string, object> derived = new(StringComparer.Ordinal);

        /// <summary>
        /// A value computed from this snapshot's rows alone, kept with it: the checks' views of thousands of offers (and their
        /// verdict for a GPU shape) are built once per snapshot instead of once per submit.
        /// </summary>
        public T Derived<T>(string key, Func<Snapshot, T> build) where T : class
        {
            if (derived.TryGetValue(key, out var kept))
            {
                return (T)kept;
            }
            var value = build(this);
            return derived.Count < MaxDerived ? (T)derived.GetOrAdd(key, value) : value;
        }
    }

    /// <summary>The cached snapshot while it is younger than <see cref="MaxAge"/>, else (or with <paramref name="fresh"/>) one read now.</summary>
    public async Task<Snapshot> ReadAsync(BrokerDbContext db, ComputeProviders clouds, bool fresh, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!fresh && current is { } cached && now - cached.ReadAt < MaxAge && now >= cached.ReadAt)
            {
                return cached with { Fresh = false };
            }
        }
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present && n.GpuTotal > 0)
            .Select(n => new Node(n.Name, n.GpuModel, n.GpuTotal, n.Cpus, n.MemoryMb, n.ShardsPerGpu)).ToListAsync(ct);
        var offers = (await db.Set<Offer>().AsNoTracking().Where(o => clouds.Names.Contains(o.Provider))
                .Select(o => new CloudOffer(o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.GpuCount, o.GpuMemoryGb, o.VCpus,
                    o.MemoryGb, o.Available)).ToListAsync(ct))
            .Where(o => clouds.Get(o.Provider).Launches(o.Region, o.Zone)).ToList();
        var snapshot = new Snapshot(nodes, offers, now, Fresh: true);
        lock (gate)
        {
            if (current is null || current.ReadAt <= now)
            {
                current = snapshot;
            }
        }
        return snapshot;
    }
}
