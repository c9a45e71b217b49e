using Broker.Core.Capacity;
using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Replay;

internal sealed partial class ReplayRun
{
    private readonly Dictionary<string, decimal> closedCloudCostByTeam = new(StringComparer.Ordinal);

    /// <summary>One placement pass; returns when the engine wants to look again (long.MaxValue for never).</summary>
    private long Pass(long t)
    {
        passes++;
        foreach (var job in pending.Values.Where(j => j.PlannedGeneration != runtimes.Generation))
        {
            job.Plan(runtimes.PlannedS(job, job.SavedS), runtimes.Generation);
        }
        var snapshot = new PlacementSnapshot(
            ReplayClock.At(t),
            pending.Values.Select(j => j.Pending).ToArray(),
            fleet.Snapshot(running.Values.Where(s => !s.IsCloud && s.SharedGpu >= 0)
                .Select(s => (s.Node, s.SharedGpu, s.Shards, ReplayClock.At(ExpectedEnd(s, t))))),
            RunningOnPrem(t),
            cloud.Snapshot(t),
            inputs.Policies,
            inputs.DefaultPolicy,
            inputs.Budgets(team => CloudSpendOf(team, t)),
            inputs.Shares(GpusInUseByTeam()),
            inputs.Options,
            inputs.Controls(CloudGpusByTeam),
            RunningInCloud(t));
        var retry = long.MaxValue;
        foreach (var decision in strategy.Place(snapshot).Decisions)
        {
            var job = jobsById[decision.JobId];
            switch (decision)
            {
                case OnPremDecision d:
                    StartOnPrem(job, d, t);
                    break;
                case MigrationDecision d:
                    MoveOnPrem(job, d, t);
                    break;
                case CloudDecision d when !TryStartCloud(job, d, t):
                    // Refused for capacity: the next option is decided at once (live: the worker asks for a pass), not a pass later.
                    wakeUps.Add(t + 1);
                    break;
                case WaitDecision { Reason: WaitReason.Capacity, EstimatedOnPremStart: not null }:
                    // Merely queued for on-prem GPUs: only an arrival or a job's end can change that, and both trigger a pass.
                    break;
                case WaitDecision w:
                    retry = Math.Min(retry, ReplayClock.Seconds(w.RetryAt));
                    if (w.LimitAt is { } limit)
                    {
                        // A timed pass exactly when the job's wait limit runs out, not at the next regular pass.
                        wakeUps.Add(ReplayClock.Seconds(limit));
                    }
                    break;
            }
        }
        return retry;
    }

    /// <summary>
    /// A move back on-prem: the cloud run ends now, billed to now, with outcome migrated; the job restarts on the node from
    /// its last checkpoint. It is a migration, not an interruption: no strike, no requeue, spot is not blocked. The cloud
    /// run's scheduled end is dropped when it comes up (<see cref="DropEndedEarly"/>).
    /// </summary>
    private void MoveOnPrem(SimJob job, MigrationDecision d, long t)
    {
        var s = running.Values.Single(r => r.Job == job && r.IsCloud);
        var work = Math.Max(0, t - s.StartS - s.StartupS);
        var saved = Checkpointed(job, work);
        Close(s, t, Outcomes.Migrated, work, saved);
        job.Migrated(saved);
        AddPending(job);
        StartOnPrem(job, new OnPremDecision(d.JobId, d.Node, d.Gpus, d.GpuModel, d.CostPerHour, d.Explanation, d.MemberNodes), t);
    }

    /// <summary>
    /// A move that frees a node: the job's on-prem run ends now with outcome moved, keeping its work up to its last checkpoint
    /// (none without checkpoints), and it restarts on the new node at once.
    /// </summary>
    private void MoveOffNode(NodeFreeingMove move, long t)
    {
        var job = jobsById[move.JobId];
        var s = running.Values.Single(r => r.Job == job && !r.IsCloud);
        var work = Math.Max(0, t - s.StartS);
        var saved = Checkpointed(job, work);
        Close(s, t, Outcomes.Moved, work, saved);
        job.MovedOffNode(saved);
        AddPending(job);
        StartOnPrem(job, new OnPremDecision(move.JobId, move.ToNode, move.Gpus, move.GpuModel, move.CostPerHour,
            new Explanation($"moved from {move.FromNode} to free it", [])), t);
    }

    private void StartOnPrem(SimJob job, OnPremDecision d, long t)
    {
        foreach (var move in d.Moves ?? [])
        {
            MoveOffNode(move, t);
        }
        var (gpu, shards, reserved) = (-1, 0, (decimal?)null);
        if (job.Trace.GpuShare is { } share)
        {
            (gpu, shards, var r) = fleet.AllocateShare(d.Node, share);
            reserved = r;
        }
        else
        {
            foreach (var node in d.MemberNodes ?? [d.Node])
            {
                fleet.Allocate(node, d.Gpus / (d.MemberNodes?.Count ?? 1));
            }
        }
        Begin(job, new ActiveSegment
        {
            Id = nextSegmentId++, Job = job, StartS = t, EndS = t + job.RemainingS, Outcome = Outcomes.Completed,
            Market = Markets.OnPrem, PricePerHour = d.CostPerHour, GpuModel = d.GpuModel, Node = d.Node,
            SharedGpu = gpu, Shards = shards, ReservedShare = reserved, MemberNodes = d.MemberNodes is { Count: > 1 } m ? m : null,
            Why = d.Explanation.Chosen,
        });
    }

    /// <summary>Launches the instance; a spot launch where the trace has no capacity fails and blocks that market.</summary>
    private bool TryStartCloud(SimJob job, CloudDecision d, long t)
    {
        var index = cloud.IndexOf(d.Offer);
        var spot = d.Market == CapacityType.Spot;
        if (spot && !cloud.SpotAvailable(index, t))
        {
            cloud.BlockSpot(index, t);
            failedLaunches++;
            job.Strike(new SpotStrike(d.Offer.Provider, d.Offer.Region, d.Offer.Zone, SpotStrikeKind.FailedLaunch));
            return false;
        }
        var startup = scenario.Cloud.StartupS;
        var end = t + startup + job.RemainingS;
        var loss = spot ? cloud.NextSpotLoss(index, t) : null;
        var preempted = loss is { } l && l < end;
        Begin(job, new ActiveSegment
        {
            Id = nextSegmentId++, Job = job, StartS = t, EndS = preempted ? loss!.Value : end,
            Outcome = preempted ? Outcomes.Preempted : Outcomes.Completed,
            Market = spot ? Markets.Spot : Markets.OnDemand, PricePerHour = d.PricePerHour, GpuModel = d.Offer.GpuModel,
            OfferIndex = index, StartupS = startup, Members = d.Offer.Members, Why = d.Explanation.Chosen,
        });
        return true;
    }

    private void Begin(SimJob job, ActiveSegment segment)
    {
        RemovePending(job);
        if (job.FirstStartS is null)
        {
            runtimes.FirstStart(job, segment.StartS);
        }
        job.State = SimJobState.Running;
        if (job.FirstStartS is null && segment.IsCloud)
        {
            var limit = WaitOrBurst.Limit(job.Pending, inputs.Book.For(job.Trace.Team), job.Pending.EstimatedDuration);
            job.BurstPastLimitS = Math.Max(0, segment.StartS - ReplayClock.Seconds(limit));
        }
        job.FirstStartS ??= segment.StartS;
        job.Launched();
        running.Add(segment.Id, segment);
        ends.Enqueue(segment, (segment.EndS, segment.Id));
    }

    private void Finish(ActiveSegment s, long t)
    {
        var work = Math.Max(0, t - s.StartS - s.StartupS);
        var job = s.Job;
        long saved;
        if (s.Outcome == Outcomes.Completed)
        {
            saved = job.RemainingS;
            job.State = SimJobState.Done;
            job.CompletedS = t;
            runtimes.Completed(job, t);
        }
        else
        {
            saved = Checkpointed(job, work);
            job.Interrupted(saved, t);
            var offer = cloud.Offer(s.OfferIndex);
            job.Strike(new SpotStrike(offer.Provider, offer.Region, offer.Zone, SpotStrikeKind.Interrupted));
            AddPending(job);
            cloud.BlockSpot(s.OfferIndex, t);
        }
        Close(s, t, s.Outcome, work, saved);
    }

    private void CancelRunning(long stop)
    {
        foreach (var s in running.Values.ToArray())
        {
            Close(s, stop, Outcomes.Cancelled, Math.Max(0, stop - s.StartS - s.StartupS), 0);
        }
    }

    private void Close(ActiveSegment s, long end, string outcome, long work, long saved)
    {
        running.Remove(s.Id);
        var job = s.Job.Trace;
        decimal cost;
        var offer = s.IsCloud ? cloud.Offer(s.OfferIndex) : null;
        if (offer is null && s.SharedGpu >= 0)
        {
            fleet.ReleaseShare(s.Node, s.SharedGpu, s.Shards);
            cost = s.PricePerHour * (end - s.StartS) / 3600m;
        }
        else if (offer is null)
        {
            foreach (var node in s.MemberNodes ?? [s.Node])
            {
                fleet.Release(node, job.Gpus / (s.MemberNodes?.Count ?? 1));
            }
            cost = s.PricePerHour * (end - s.StartS) / 3600m;
        }
        else
        {
            // A run the broker ends to move the job is billed to the move: the on-prem run starts then.
            var billed = outcome == Outcomes.Migrated ? end - s.StartS : Math.Max(end - s.StartS, scenario.Cloud.MinimumBilledS);
            cost = s.PricePerHour * billed / 3600m;
            closedCloudCost += cost;
            closedCloudCostByTeam[job.Team] = closedCloudCostByTeam.GetValueOrDefault(job.Team) + cost;
        }
        segments.Add(new RunSegment(job.JobId, job.Team, job.Gpus, job.SubmitS, s.StartS, end,
            offer is null ? "onprem" : "cloud", s.Node, offer?.Provider ?? "", offer?.Region ?? "", offer?.Zone ?? "",
            offer?.InstanceType ?? "", s.Market, s.GpuModel, s.PricePerHour, outcome, work, saved, cost,
            s.Market == Markets.Spot ? offer!.SpotTrace : null)
        {
            GpuShare = s.ReservedShare,
            SharedGpu = s.SharedGpu >= 0 ? s.SharedGpu : null,
            Members = Members(s, end, offer),
            Why = s.Why,
        });
    }

    /// <summary>Every member of a gang with its own start and end; empty for one node or instance.</summary>
    private static GangMember[] Members(ActiveSegment s, long end, ScenarioOffer? offer)
    {
        if (s.MemberNodes is { } nodes)
        {
            return [.. nodes.Select(n => new GangMember(n, "", "", s.Job.Trace.Gpus / nodes.Count, s.StartS, end))];
        }
        return offer is null || s.Members <= 1 ? []
            : [.. Enumerable.Range(0, s.Members).Select(m => new GangMember($"{s.Job.Trace.JobId}/{s.Id}/{m}", offer.Zone ?? "",
                offer.InstanceType, offer.Gpus, s.StartS, end))];
    }
}
