namespace Broker.Core.Placement;

/// <summary>
/// How a job of <see cref="Gpus"/> GPUs spreads over members (nodes or instances) of one model: <see cref="Members"/> members
/// of <see cref="GpusPerMember"/> GPUs each. One member is an ordinary single-node job; more is a gang (ADR 0012).
/// </summary>
public sealed record GangShape(int Members, int GpusPerMember)
{
    public int Gpus => Members * GpusPerMember;

    public bool IsGang => Members > 1;

    /// <summary>
    /// The gang with the fewest members that some <paramref name="memberSizes"/> (GPUs per node of one model) can hold: an equal
    /// share per member (Slurm's <c>--gpus-per-node</c> is one number), so the GPU count must divide by the member count.
    /// Null when no set of these nodes holds the job.
    /// </summary>
    public static GangShape? Fit(int gpus, IReadOnlyCollection<int> memberSizes, int maxMembers)
    {
        if (gpus <= 0 || memberSizes.Count == 0)
        {
            return null;
        }
        var limit = Math.Min(maxMembers, memberSizes.Count);
        for (var members = 1; members <= limit; members++)
        {
            if (gpus % members != 0)
            {
                continue;
            }
            var perMember = gpus / members;
            if (memberSizes.Count(size => size >= perMember) >= members)
            {
                return new GangShape(members, perMember);
            }
        }
        return null;
    }
}
