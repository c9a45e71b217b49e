using Broker.Core.Provisioning;

namespace Broker.Core.Costs;

/// <summary>What the ledger prices per allocation: the allocation itself, or for a cloud gang each member instance.</summary>
internal static class CloudGangLedger
{
    /// <summary>
    /// A cloud gang's members as allocations of one instance each (its GPUs and price, same id and times), with the
    /// member's instance id (none when the gang never had all its members). Members start and end with the gang; each
    /// carries its own end (<see cref="CloudGang.MemberEnds"/>), so of an interrupted spot gang only the member the
    /// provider reclaimed has the interruption's waiver, and the members Broker terminated are billed.
    /// </summary>
    public static IEnumerable<(Allocation Member, string? InstanceId)> Members(Allocation a)
    {
        if (!a.IsCloudGang)
        {
            yield return (a, null);
            yield break;
        }
        var count = a.InstanceCount!.Value;
        foreach (var member in CloudGang.MemberEnds(a))
        {
            yield return (new Allocation
            {
                Id = a.Id, JobId = a.JobId, Market = a.Market, Provider = a.Provider, Region = a.Region, Zone = a.Zone,
                InstanceType = a.InstanceType, GpuModel = a.GpuModel, Gpus = a.Gpus / count, PricePerHour = a.PricePerHour / count,
                State = a.State, End = member.End, EndReason = member.Reason, ExternalId = member.InstanceId,
                CreatedAt = a.CreatedAt, StartedAt = a.StartedAt, EndedAt = a.EndedAt,
            }, member.InstanceId);
        }
    }
}
