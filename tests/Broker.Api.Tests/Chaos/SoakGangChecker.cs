using System.Text.RegularExpressions;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Chaos;

/// <summary>What the gang and share checks found (ADR 0011, 0012).</summary>
public sealed record GangFindings(int CloudGangsRun, int OnPremGangsRun, int GangViolations, int GangInterruptions, int SharesRun,
    int ShardSamples, int MaxShardsOnOneGpu, int ShardOvercommits)
{
    public int GangsRun => CloudGangsRun + OnPremGangsRun;
}

/// <summary>
/// Gangs: every member of a segment that ran starts and ends with the others (within <see cref="Tolerance"/>), none is
/// left running after the segment closed, the members are one instance type in one zone and market and placement group
/// (cloud) or nodes of one GPU model that Slurm ran as one job (on-prem), and an interrupted gang is requeued exactly
/// once. Shares: Slurm never had more shards in use on a GPU than the GPU has. The world's side comes from the EC2 fake,
/// the agent's record of each instance and Slurm, not from Broker.
/// </summary>
public static partial class SoakGangChecker
{
    /// <summary>
    /// How far apart members may start or end. Members are created one after another and boot 0.5-2.5 s each (the agent),
    /// and the release that terminates the others follows the first member's end by a reconcile pass (2 s) and the cloud's
    /// calls (which the throttling faults retry with backoff).
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(10);

    private static readonly JobEventKind[] Requeues = [JobEventKind.Preempted, JobEventKind.Requeued];

    public static async Task<GangFindings> CheckAsync(SoakCluster cluster, BrokerDbContext db, IReadOnlyList<Allocation> allocations,
        IReadOnlyDictionary<Guid, SlurmRecord> slurm, ShardSampler shards, List<string> evidence)
    {
        var violations = 0;
        void Violation(Allocation a, string what)
        {
            violations++;
            evidence.Add($"gang: allocation {a.Id} (job {a.JobId}, {a.Provider} {a.InstanceType ?? a.Node} {a.State}/{a.End}): {what}");
        }
        var instances = cluster.Ec2.Cloud.Instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var agent = cluster.Agent;
        var cloudRun = 0;
        foreach (var a in allocations.Where(a => a.IsCloudGang && a.StartedAt is not null))
        {
            cloudRun++;
            var members = a.MemberInstanceIds ?? [];
            if (members.Count != a.InstanceCount)
            {
                Violation(a, $"ran with {members.Count} of {a.InstanceCount} members recorded");
                continue;
            }
            var tagged = instances.Values.Where(i => i.Tags.GetValueOrDefault("broker-allocation") == a.Id.ToString()).ToList();
            foreach (var extra in tagged.Where(i => !members.Contains(i.InstanceId) && agent.ProgramStarted.ContainsKey(i.InstanceId)))
            {
                Violation(a, $"instance {extra.InstanceId} ran the gang's program and is not one of its members");
            }
            var found = members.Select(id => instances.GetValueOrDefault(id)).ToList();
            if (found.Any(i => i is null))
            {
                Violation(a, "a member is unknown to the cloud");
                continue;
            }
            var shapes = found.Select(i => (i!.InstanceType, i.Region, i.Zone, i.Lifecycle ?? "on-demand", i.PlacementGroup)).Distinct().ToList();
            // An EC2 offer is regional (no zone in the allocation): the cluster placement group puts the members in one
            // zone, the cloud's choice, which must then be the same for all of them.
            var zone = string.IsNullOrEmpty(a.Zone) ? shapes[0].Zone : a.Zone;
            var expected = (a.InstanceType, a.Region, zone, a.Market == CapacityType.Spot ? "spot" : "on-demand", a.PlacementGroup);
            if (shapes.Count != 1 || shapes[0] != expected)
            {
                Violation(a, $"members split or misplaced: {string.Join("; ", shapes)} (placed as {expected})");
            }
            foreach (var left in found.Where(i => i!.State != "terminated"))
            {
                Violation(a, $"member {left!.InstanceId} is {left.State} after the segment closed");
            }
            if (a.End == AllocationEnd.Completed)
            {
                var starts = members.Select(id => agent.ProgramStarted.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null).ToList();
                if (starts.Any(s => s is null))
                {
                    Violation(a, "completed although a member's program never started");
                }
                else if (starts.Max() - starts.Min() is var spread && spread > Tolerance)
                {
                    Violation(a, $"members started {spread.Value.TotalSeconds:0.0} s apart");
                }
            }
            var ends = members.Select(id => agent.TerminatedSeen.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null).ToList();
            if (ends.All(e => e is not null) && ends.Max() - ends.Min() is var endSpread && endSpread > Tolerance)
            {
                Violation(a, $"members ended {endSpread.Value.TotalSeconds:0.0} s apart");
            }
        }

        var nodes = await db.OnPremNodes.AsNoTracking().ToDictionaryAsync(n => n.Name, n => n.GpuModel);
        var onPremRun = 0;
        foreach (var a in allocations.Where(a => a is { IsOnPrem: true, MemberNodes.Count: > 1 } && a.StartedAt is not null))
        {
            onPremRun++;
            var models = a.Nodes.Select(n => nodes.GetValueOrDefault(n) ?? "?").Distinct().ToList();
            if (models.Count != 1 || models[0] != a.GpuModel || a.Gpus % a.Nodes.Count != 0)
            {
                Violation(a, $"members {string.Join(",", a.Nodes)} are of models {string.Join(",", models)} for {a.Gpus} {a.GpuModel} GPUs");
            }
            // One Slurm job over exactly the members: they start and end together by Slurm's own record.
            if (slurm.TryGetValue(a.Id, out var record) && !Hostnames(record.Nodes).ToHashSet().SetEquals(a.Nodes))
            {
                Violation(a, $"Slurm ran it on {record.Nodes}, Broker placed it on {string.Join(",", a.Nodes)}");
            }
        }

        // Each reclaimed member interrupts its gang, and an interrupted gang goes back to the queue once (not once per member).
        var interruptions = 0;
        var byId = allocations.ToDictionary(a => a.Id);
        foreach (var (instance, (allocationId, at)) in agent.Reclaimed)
        {
            if (byId.GetValueOrDefault(allocationId) is { IsCloudGang: true } a && a.End != AllocationEnd.Interrupted && a.EndedAt > at + Tolerance)
            {
                Violation(a, $"member {instance} was reclaimed at {at:O} and the gang ended {a.End} at {a.EndedAt:O}");
            }
        }
        var gangJobs = allocations.Where(a => a.IsCloudGang || a.MemberNodes is { Count: > 1 }).Select(a => a.JobId).ToHashSet();
        var requeues = (await db.JobEvents.AsNoTracking().Where(e => gangJobs.Contains(e.JobId) && Requeues.Contains(e.Kind)).ToListAsync())
            .ToLookup(e => e.JobId);
        foreach (var a in allocations.Where(a => gangJobs.Contains(a.JobId) && a.End == AllocationEnd.Interrupted))
        {
            interruptions++;
            var next = allocations.Where(b => b.JobId == a.JobId && b.CreatedAt > a.CreatedAt).Select(b => (DateTimeOffset?)b.CreatedAt).Min()
                ?? DateTimeOffset.MaxValue;
            var count = requeues[a.JobId].Count(e => e.At >= a.CreatedAt && e.At < next);
            if (count != 1)
            {
                Violation(a, $"interrupted and requeued {count} times");
            }
        }

        var jobs = allocations.Where(a => a.IsOnPrem).Select(a => a.JobId).Distinct().ToList();
        var sharedJobs = (await db.Jobs.AsNoTracking().Where(j => jobs.Contains(j.Id)).ToListAsync()).Where(j => j.Gpu.Share is not null)
            .Select(j => j.Id).ToHashSet();
        var sharesRun = allocations.Count(a => a.IsOnPrem && sharedJobs.Contains(a.JobId) && a.StartedAt is not null);
        var (overcommits, maxShards) = shards.Findings();
        evidence.AddRange(overcommits);
        return new GangFindings(cloudRun, onPremRun, violations, interruptions, sharesRun, shards.SamplesWithShares, maxShards, overcommits.Count);
    }

    /// <summary>Slurm's host list (<c>gpu-h100-[1-2]</c>, <c>gpu-a100-1,gpu-a100-2</c>, <c>gpu-h100-[1,2]</c>) as names.</summary>
    public static IEnumerable<string> Hostnames(string list)
    {
        foreach (Match part in HostListPart().Matches(list))
        {
            if (!part.Groups[2].Success)
            {
                yield return part.Groups[1].Value;
                continue;
            }
            foreach (var range in part.Groups[2].Value.Split(','))
            {
                var bounds = range.Split('-');
                var (from, to) = (int.Parse(bounds[0]), int.Parse(bounds[^1]));
                for (var n = from; n <= to; n++)
                {
                    yield return part.Groups[1].Value + n.ToString(bounds[0].Length > 1 && bounds[0][0] == '0' ? new string('0', bounds[0].Length) : "0");
                }
            }
        }
    }

    [GeneratedRegex(@"([^,\[]+)(?:\[([0-9,\-]+)\])?")]
    private static partial Regex HostListPart();
}

/// <summary>What slurmctld recorded of one ended broker-* job: start and end (Unix seconds) and the nodes it ran on.</summary>
public sealed record SlurmRecord(long Start, long End, string Nodes);
