namespace Broker.Core.Placement;

/// <summary>The order in which a pass considers pending jobs. <see cref="Done"/> reports what the last job got.</summary>
internal interface IJobOrder
{
    bool TryNext(out PendingJob job);

    void Done(PendingJob job, int gpusPlaced);
}

/// <summary>First come, first served: submit time, then job id.</summary>
internal sealed class FifoOrder(IReadOnlyList<PendingJob> jobs) : IJobOrder
{
    private readonly PendingJob[] ordered = jobs.OrderBy(j => j.SubmittedAt).ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
    private int next;

    public bool TryNext(out PendingJob job)
    {
        job = next < ordered.Length ? ordered[next++] : null!;
        return job is not null;
    }

    public void Done(PendingJob job, int gpusPlaced)
    {
    }
}
