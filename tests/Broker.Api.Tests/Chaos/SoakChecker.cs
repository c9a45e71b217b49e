using System.Diagnostics;
using System.Text.Json;
using Broker.Api.Tests.Replicas;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Chaos;

/// <summary>What the invariant checker found: counts, and one line of evidence per violation.</summary>
public sealed record SoakFindings(int LeakedInstances, int DoubleAllocations, int LostJobs, int TimeMismatches, int TimesCompared,
    int Succeeded, int Failed, int Queued, int LedgerMismatches, int SegmentsPriced, int LifetimesBilled, int GangMembersBilled,
    int GangMembersWaivedUnreclaimed, int GangMembersReclaimedWaived, GangFindings Gangs, IReadOnlyList<string> Evidence);

/// <summary>
/// After the soak (and one GC grace): reads PostgreSQL, the EC2 fake's instance list, squeue and Slurm's job records, and
/// counts what must be zero. Never trusts Broker's own view of the world for the world's side.
/// </summary>
public static class SoakChecker
{
    private static readonly JobState[] Terminal = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    public static async Task<SoakFindings> CheckAsync(SoakCluster cluster, IReadOnlyCollection<Guid> submitted, ShardSampler shards)
    {
        var evidence = new List<string>();
        await using var db = cluster.NewDbContext();
        var allocations = await db.Allocations.AsNoTracking().ToListAsync();
        var live = allocations.Where(a => a.IsLive).Select(a => a.Id).ToHashSet();

        // Leaks: a cloud instance not terminated, or a broker-* Slurm job still queued or running, without a live allocation.
        var leaked = 0;
        foreach (var instance in cluster.Ec2.Cloud.Instances.Where(i => i.State != "terminated"))
        {
            if (!instance.Tags.TryGetValue("broker-allocation", out var tag) || !Guid.TryParse(tag, out var id) || !live.Contains(id))
            {
                leaked++;
                evidence.Add($"leaked instance {instance.InstanceId} ({instance.InstanceType}, {instance.State}) allocation {tag}");
            }
        }
        foreach (var (name, state) in await SqueueAsync())
        {
            if (name.StartsWith("broker-", StringComparison.Ordinal) && Guid.TryParse(name["broker-".Length..], out var id) && !live.Contains(id))
            {
                leaked++;
                evidence.Add($"leaked Slurm job {name} ({state})");
            }
        }

        // Double allocations: a node with more GPUs held than it has at any moment of the history; one job with two
        // segments live at once; one instance or Slurm job behind two allocations.
        var overcommits = await ReplicaChecks.OnPremOvercommitsAsync(db);
        evidence.AddRange(overcommits.Select(o => "overcommit " + o));
        var doubles = overcommits.Count;
        foreach (var job in allocations.GroupBy(a => a.JobId))
        {
            var segments = job.OrderBy(a => a.CreatedAt).ToList();
            for (var i = 1; i < segments.Count; i++)
            {
                if (segments[i - 1].EndedAt is not { } ended || ended > segments[i].CreatedAt)
                {
                    doubles++;
                    evidence.Add($"job {job.Key}: allocation {segments[i].Id} created {segments[i].CreatedAt:O} while {segments[i - 1].Id} " +
                        $"({segments[i - 1].State}/{segments[i - 1].End}) was live until {segments[i - 1].EndedAt:O}");
                }
            }
        }
        foreach (var shared in allocations.Where(a => a.ExternalId is not null).GroupBy(a => (a.Provider, a.ExternalId)).Where(g => g.Count() > 1))
        {
            doubles++;
            evidence.Add($"{shared.Key.Provider} {shared.Key.ExternalId} behind allocations {string.Join(", ", shared.Select(a => a.Id))}");
        }

        // Lost jobs: every submitted job exists, is in a terminal state with exactly one terminal event, or is still queued
        // with no live segment.
        var jobs = await db.Jobs.AsNoTracking().Where(j => submitted.Contains(j.Id)).ToDictionaryAsync(j => j.Id);
        var terminalEvents = (await db.JobEvents.AsNoTracking()
            .Where(e => submitted.Contains(e.JobId) && (e.Kind == JobEventKind.Finished || e.Kind == JobEventKind.Failed || e.Kind == JobEventKind.Cancelled))
            .Select(e => e.JobId).ToListAsync()).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var lost = 0;
        var queued = 0;
        foreach (var id in submitted)
        {
            if (!jobs.TryGetValue(id, out var job))
            {
                lost++;
                evidence.Add($"job {id} was accepted and is not in the database");
                continue;
            }
            var ends = terminalEvents.GetValueOrDefault(id);
            if (Terminal.Contains(job.State) ? ends != 1 : job.State != JobState.Pending || allocations.Any(a => a.JobId == id && a.IsLive))
            {
                lost++;
                evidence.Add($"job {id} ({job.Name}) is {job.State} with {ends} terminal events");
            }
            else if (job.State == JobState.Pending)
            {
                queued++;
            }
        }

        // Times: every on-prem segment that ran to its end starts and ends on Slurm's seconds.
        var slurm = await SlurmTimesAsync();
        var mismatches = 0;
        var compared = 0;
        foreach (var a in allocations.Where(a => a is { IsOnPrem: true, End: AllocationEnd.Completed }))
        {
            if (!slurm.TryGetValue(a.Id, out var times))
            {
                continue;
            }
            compared++;
            if (a.StartedAt?.ToUnixTimeSeconds() != times.Start || a.EndedAt?.ToUnixTimeSeconds() != times.End)
            {
                mismatches++;
                evidence.Add($"allocation {a.Id} (job {a.JobId}): Broker {a.StartedAt:O}..{a.EndedAt:O}, Slurm " +
                    $"{DateTimeOffset.FromUnixTimeSeconds(times.Start):O}..{DateTimeOffset.FromUnixTimeSeconds(times.End):O}");
            }
        }
        var ledger = await CheckLedgerAsync(db, allocations, slurm, cluster.Agent.Reclaimed.Keys.ToHashSet(), evidence);
        var gangs = await SoakGangChecker.CheckAsync(cluster, db, allocations, slurm, shards, evidence);
        return new SoakFindings(leaked, doubles, lost, mismatches, compared, jobs.Values.Count(j => j.State == JobState.Succeeded),
            jobs.Values.Count(j => j.State == JobState.Failed), queued, ledger.Mismatches, ledger.Priced, ledger.LifetimesBilled,
            ledger.GangMembersBilled, ledger.GangMembersWaivedUnreclaimed, ledger.GangMembersReclaimedWaived, gangs, evidence);
    }

    /// <summary>
    /// Ledger = Σ lifetime × price, with the lifetime from the source: every closed segment is priced; the usage entries of
    /// one that ran tile its lifetime (Slurm's seconds on-prem, running to terminated in the cloud) with no gap or overlap;
    /// their billed time is that lifetime under the provider's published rule and each entry costs its billed time at its
    /// price; a segment that never ran, or a spot instance EC2 interrupted in its first hour, costs nothing. A cloud gang
    /// is billed per member: each member instance's entries (by instance id) tile the gang's lifetime under the same rule,
    /// and every member has them; of an interrupted spot gang only the member the cloud reclaimed (by the agent's record,
    /// <paramref name="reclaimed"/>) is waived, the members Broker terminated because of it are billed. An on-prem gang's
    /// one entry holds all its GPUs on all its members.
    /// </summary>
    private static async Task<LedgerFindings> CheckLedgerAsync(BrokerDbContext db, IReadOnlyList<Allocation> allocations,
        IReadOnlyDictionary<Guid, SlurmRecord> slurm, IReadOnlySet<string> reclaimed, List<string> evidence)
    {
        var recorded = (await db.CostRecordings.AsNoTracking().Select(r => r.AllocationId).ToListAsync()).ToHashSet();
        var usage = (await db.CostEntries.AsNoTracking().Where(e => e.Kind == Broker.Core.Costs.CostEntryKind.Usage).ToListAsync())
            .ToLookup(e => e.AllocationId);
        var mismatches = 0;
        var billedLifetimes = 0;
        var membersBilled = 0;
        var waivedUnreclaimed = 0;
        var reclaimedWaived = 0;
        void Mismatch(Allocation a, string what)
        {
            mismatches++;
            evidence.Add($"ledger: allocation {a.Id} ({a.Provider} {a.Market} {a.State}/{a.End}): {what}");
        }
        foreach (var a in allocations.Where(a => a.State == AllocationState.Closed))
        {
            var all = usage[a.Id].OrderBy(e => e.Part).ToList();
            if (!recorded.Contains(a.Id))
            {
                Mismatch(a, "closed and never priced");
                continue;
            }
            (DateTimeOffset Start, DateTimeOffset End)? lifetime = a.IsOnPrem
                ? slurm.TryGetValue(a.Id, out var t) ? (DateTimeOffset.FromUnixTimeSeconds(t.Start), DateTimeOffset.FromUnixTimeSeconds(t.End)) : null
                : a is { StartedAt: { } started, EndedAt: { } ended } && ended > started ? (started, ended) : null;
            if (a.StartedAt is null)
            {
                if (all.Sum(e => e.Cost) != 0)
                {
                    Mismatch(a, $"never ran and costs {all.Sum(e => e.Cost)}");
                }
                continue;
            }
            if (lifetime is not { } life)
            {
                continue;
            }
            if (a.IsCloudGang)
            {
                var members = a.MemberInstanceIds ?? [];
                var strangers = all.Where(e => e.InstanceId is null || !members.Contains(e.InstanceId)).ToList();
                if (members.Count != a.InstanceCount || strangers.Count > 0)
                {
                    Mismatch(a, $"gang of {a.InstanceCount} with members [{string.Join(",", members)}] has entries for " +
                        $"[{string.Join(",", all.Select(e => e.InstanceId).Distinct())}]");
                    continue;
                }
                var good = true;
                foreach (var member in members)
                {
                    var entries = all.Where(e => e.InstanceId == member).ToList();
                    good &= CheckMember(a, $"member {member}: ", entries, life, reclaimedByCloud: reclaimed.Contains(member));
                    if (a is { Market: CapacityType.Spot, End: AllocationEnd.Interrupted } && entries.Count > 0 && entries.Sum(e => e.Cost) == 0)
                    {
                        if (reclaimed.Contains(member))
                        {
                            reclaimedWaived++;
                        }
                        else
                        {
                            waivedUnreclaimed++;
                            evidence.Add($"ledger: gang {a.Id} member {member} was waived although the cloud did not reclaim it");
                        }
                    }
                }
                if (good)
                {
                    billedLifetimes++;
                    membersBilled += members.Count;
                }
                continue;
            }
            if (CheckMember(a, "", all, life, reclaimedByCloud: a.End == AllocationEnd.Interrupted))
            {
                billedLifetimes++;
                if (a.MemberNodes is { Count: > 1 } nodes)
                {
                    if (all.Sum(e => e.GpuCount) != a.Gpus * all.Count || all.Any(e => e.MemberNodes is null || !e.MemberNodes.SequenceEqual(nodes)))
                    {
                        Mismatch(a, $"gang entries hold {string.Join(",", all.Select(e => e.GpuCount))} GPUs on " +
                            $"{string.Join("; ", all.Select(e => string.Join(",", e.MemberNodes ?? [])))}, not {a.Gpus} on {string.Join(",", nodes)}");
                        continue;
                    }
                    membersBilled += nodes.Count;
                }
            }
        }
        return new LedgerFindings(mismatches, recorded.Count, billedLifetimes, membersBilled, waivedUnreclaimed, reclaimedWaived);

        // One instance's (or one on-prem segment's) entries: they tile the lifetime and are billed by the provider's rule.
        bool CheckMember(Allocation a, string who, List<Broker.Core.Costs.CostEntry> entries, (DateTimeOffset Start, DateTimeOffset End) life,
            bool reclaimedByCloud)
        {
            if (entries.Count == 0 || entries[0].StartedAt != life.Start || entries[^1].EndedAt != life.End
                || entries.Zip(entries.Skip(1)).Any(p => p.First.EndedAt != p.Second.StartedAt))
            {
                Mismatch(a, $"{who}entries {string.Join(", ", entries.Select(e => $"{e.StartedAt:O}..{e.EndedAt:O}"))} do not tile {life.Start:O}..{life.End:O}");
                return false;
            }
            var ran = (decimal)(life.End - life.Start).TotalSeconds;
            var waived = a is { Provider: "aws", Market: CapacityType.Spot, End: AllocationEnd.Interrupted } && reclaimedByCloud && ran < 3600;
            var billed = waived ? 0m : a.Provider switch
            {
                "slurm" => ran,
                "aws" => Math.Max(Math.Ceiling(ran), 60m),
                _ => entries.Sum(e => e.BilledSeconds),
            };
            var cost = entries.Sum(e => e.Cost);
            var atPrices = entries.Sum(e => Math.Round(e.BilledSeconds * e.PricePerHour / 3600m, 6, MidpointRounding.ToEven));
            if (Math.Abs(entries.Sum(e => e.BilledSeconds) - billed) > 0.000_01m * entries.Count || cost != atPrices || waived && cost != 0)
            {
                Mismatch(a, $"{who}ran {ran} s, billed {entries.Sum(e => e.BilledSeconds)} s (rule: {billed} s), cost {cost} (at its prices {atPrices})");
                return false;
            }
            return true;
        }
    }

    private static async Task<IReadOnlyList<(string Name, string State)>> SqueueAsync()
    {
        var start = new ProcessStartInfo("squeue", ["-h", "-o", "%j|%T"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SLURM_CONF"] = Path.Combine(SlurmServer.Directory, "slurm.conf");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).Select(p => (p[0], p.ElementAtOrDefault(1) ?? ""))]
            : throw new InvalidOperationException("squeue failed: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>Start and end (Unix seconds) and nodes of every ended broker-* job slurmctld still holds (MinJobAge is 30 minutes here).</summary>
    private static async Task<Dictionary<Guid, SlurmRecord>> SlurmTimesAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("slurm/v0.0.38/jobs", UriKind.Relative)));
        var times = new Dictionary<Guid, SlurmRecord>();
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            var name = job.GetProperty("name").GetString() ?? "";
            if (name.StartsWith("broker-", StringComparison.Ordinal) && Guid.TryParse(name["broker-".Length..], out var id)
                && job.GetProperty("job_state").GetString() is "COMPLETED" or "FAILED")
            {
                times[id] = new SlurmRecord(job.GetProperty("start_time").GetInt64(), job.GetProperty("end_time").GetInt64(),
                    job.GetProperty("nodes").GetString() ?? "");
            }
        }
        return times;
    }
}

/// <summary>What the ledger check counted.</summary>
internal sealed record LedgerFindings(int Mismatches, int Priced, int LifetimesBilled, int GangMembersBilled, int GangMembersWaivedUnreclaimed,
    int GangMembersReclaimedWaived);
