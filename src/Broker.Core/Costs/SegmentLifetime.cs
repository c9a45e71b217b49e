using Broker.Core.Persistence;
using Broker.Core.Provisioning;

namespace Broker.Core.Costs;

/// <summary>When a segment really ran, by the source's own clock where it has one.</summary>
/// <param name="Source"><c>slurm</c> (the Slurm job's start_time/end_time) or <c>broker</c> (the allocation's StartedAt/EndedAt).</param>
public sealed record SegmentLifetime(DateTimeOffset Start, DateTimeOffset End, string Source)
{
    /// <summary>How long a closed on-prem allocation waits for an unreachable Slurm before Broker's own times are used.</summary>
    public static readonly TimeSpan SlurmPatience = TimeSpan.FromMinutes(10);

    public sealed record Outcome(SegmentLifetime? Lifetime, bool Deferred);

    /// <summary>
    /// On-prem: Slurm's own start and end when Slurm still has the job (it keeps finished jobs for MinJobAge); a Slurm job
    /// that never started ran for nothing. Cloud, or Slurm without the record: the allocation's times (running to closed,
    /// i.e. until the instance was terminated). No start means it never ran: a failed launch costs nothing.
    /// </summary>
    public static async Task<Outcome> OfAsync(Allocation a, IOnPremCluster cluster, TimeProvider clock, CancellationToken ct)
    {
        if (a.IsOnPrem)
        {
            try
            {
                var status = await cluster.GetJobAsync(a.Id, ct);
                if (status is { StartedAt: { } started, EndedAt: { } ended } && ended >= started)
                {
                    return new(new SegmentLifetime(started, ended, "slurm"), false);
                }
                if (status is { StartedAt: null, EndedAt: not null })
                {
                    return new(null, false);
                }
            }
            catch (ClusterUnavailableException) when (clock.GetUtcNow() - (a.EndedAt ?? a.CreatedAt) < SlurmPatience)
            {
                return new(null, true);
            }
            catch (ClusterUnavailableException)
            {
                // Slurm has been away too long: Broker's own times are the best record left.
            }
        }
        return a is { StartedAt: { } start, EndedAt: { } end } && end > start
            ? new(new SegmentLifetime(PostgresTimeFloor(start), PostgresTimeFloor(end), "broker"), false)
            : new(null, false);
    }

    private static DateTimeOffset PostgresTimeFloor(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));
}
