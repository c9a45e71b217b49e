using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// Fair share across teams, priority within a team: the next job always comes from the team whose GPUs in use (counting
/// what this pass has placed) divided by its weight is lowest, so a starved team gets the next slot. Within a team,
/// higher priority first, then submit time. Ties break by team name.
/// </summary>
internal sealed class FairShareOrder : IJobOrder
{
    private readonly PriorityQueue<TeamQueue, TeamQueue> queue = new(TeamQueue.Comparer);

    public FairShareOrder(IReadOnlyList<PendingJob> jobs, IReadOnlyList<TeamShare> shares)
    {
        var byTeam = shares.GroupBy(s => s.Team, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var group in jobs.GroupBy(j => j.Team, StringComparer.Ordinal))
        {
            var share = byTeam.GetValueOrDefault(group.Key);
            var ordered = group.OrderByDescending(j => j.Priority).ThenBy(j => j.SubmittedAt)
                .ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
            var team = new TeamQueue(group.Key, share is { Weight: > 0 } ? share.Weight : 1, share?.GpusInUse ?? 0, ordered);
            queue.Enqueue(team, team);
        }
    }

    private TeamQueue? current;

    public bool TryNext(out PendingJob job)
    {
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
            return;
        }
        current.Advance(gpusPlaced);
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

        public PendingJob Head => jobs[next];

        public bool IsEmpty => next >= jobs.Length;

        private double Ratio => used / weight;

        public void Advance(int gpusPlaced)
        {
            used += gpusPlaced;
            next++;
        }

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

        public string Name => team;
    }
}
