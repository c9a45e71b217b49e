using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// The broker's order. First, deadline jobs that must start soon (their latest start, deadline minus remaining work, is
/// within <see cref="PlacementOptions.UrgentWithin"/>), earliest latest-start first. Then fair share across teams and
/// priority within a team: the next job comes from the team whose GPUs in use (counting what this pass has placed)
/// divided by its weight is lowest, so a starved team gets the next slot; within a team, higher priority, then earlier
/// deadline, then submit time. Ties break by team name and job id.
/// </summary>
internal sealed class FairShareOrder : IJobOrder
{
    private readonly PendingJob[] urgent;
    private readonly Dictionary<string, TeamQueue> teams = new(StringComparer.Ordinal);
    private readonly PriorityQueue<TeamQueue, TeamQueue> queue = new(TeamQueue.Comparer);
    private int nextUrgent;
    private TeamQueue? current;

    public FairShareOrder(IReadOnlyList<PendingJob> jobs, IReadOnlyList<TeamShare> shares, DateTimeOffset now, TimeSpan urgentWithin)
    {
        var byTeam = shares.GroupBy(s => s.Team, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        bool IsUrgent(PendingJob j) => j.Deadline is { } d && d - j.RemainingWork <= now + urgentWithin;
        urgent = jobs.Where(IsUrgent).OrderBy(j => j.Deadline!.Value - j.RemainingWork).ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
        foreach (var group in jobs.GroupBy(j => j.Team, StringComparer.Ordinal))
        {
            var share = byTeam.GetValueOrDefault(group.Key);
            var ordered = group.Where(j => !IsUrgent(j)).OrderByDescending(j => j.Priority)
                .ThenBy(j => j.Deadline ?? DateTimeOffset.MaxValue).ThenBy(j => j.SubmittedAt)
                .ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
            var team = new TeamQueue(group.Key, share is { Weight: > 0 } ? share.Weight : 1, share?.GpusInUse ?? 0, ordered);
            teams[group.Key] = team;
            if (!team.IsEmpty)
            {
                queue.Enqueue(team, team);
            }
        }
    }

    public bool TryNext(out PendingJob job)
    {
        current = null;
        if (nextUrgent < urgent.Length)
        {
            job = urgent[nextUrgent++];
            return true;
        }
        if (!queue.TryDequeue(out current, out _))
        {
            job = null!;
            return false;
        }
        job = current.Head;
        return true;
    }

    public void Done(PendingJob job, int gpusPlaced)
    {
        if (current is null)
        {
            teams[job.Team].Use(gpusPlaced);
            return;
        }
        current.Use(gpusPlaced);
        current.Advance();
        if (!current.IsEmpty)
        {
            queue.Enqueue(current, current);
        }
        current = null;
    }

    private sealed class TeamQueue(string team, double weight, int gpusInUse, PendingJob[] jobs)
    {
        public static readonly IComparer<TeamQueue> Comparer = Comparer<TeamQueue>.Create(Compare);

        private int next;
        private int used = gpusInUse;

        public string Name => team;

        public PendingJob Head => jobs[next];

        public bool IsEmpty => next >= jobs.Length;

        private double Ratio => used / weight;

        public void Use(int gpus) => used += gpus;

        public void Advance() => next++;

        private static int Compare(TeamQueue? a, TeamQueue? b)
        {
            if (a is null || b is null)
            {
                return a is null ? (b is null ? 0 : -1) : 1;
            }
            var c = a.Ratio.CompareTo(b.Ratio);
            if (c == 0)
            {
                c = b.Head.Priority.CompareTo(a.Head.Priority);
            }
            if (c == 0)
            {
                c = a.Head.SubmittedAt.CompareTo(b.Head.SubmittedAt);
            }
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        }
    }
}
