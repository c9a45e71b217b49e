using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>
/// The placement-group half of garbage collection (ADR 0012): a cloud gang's group is created with its first member and
/// outlives every member unless deleted, so each round deletes the groups whose gang is over.
/// </summary>
public sealed partial class Reconciler
{
    /// <summary>
    /// Deletes every listed <c>broker-gang-*</c> group whose allocation is closed, or unknown to this database once the group
    /// is older than the orphan grace, and that no instance of that allocation in this round's listing still uses. Only the
    /// providers whose instances were listed this round are swept. A delete the cloud refuses (members still shutting down,
    /// throttling, an open circuit) is left for the next round and never ends this one; a group another replica deleted
    /// meanwhile is success.
    /// </summary>
    private async Task<int> DeletePlacementGroupsAsync(IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> listed,
        DateTimeOffset now, CancellationToken ct)
    {
        var groups = new List<ProviderPlacementGroup>();
        foreach (var provider in listed.Keys)
        {
            try
            {
                groups.AddRange(await clouds.Get(provider).ListPlacementGroupsAsync(ct));
            }
            catch (ProviderException e)
            {
                logger.LogWarning("Listing {Provider} placement groups failed ({Code}); none is deleted there this round", provider, e.ProviderCode);
            }
        }
        var ids = groups.Select(g => g.AllocationId).OfType<Guid>().Distinct().ToList();
        if (ids.Count == 0)
        {
            return 0;
        }
        // Read after the groups were listed: an allocation row is committed before its gang's group is created, so a group
        // listed here whose row is missing is not one being created right now.
        var states = await db.Allocations.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.State })
            .ToDictionaryAsync(a => a.Id, a => a.State, ct);
        var deleted = 0;
        foreach (var group in groups.Where(g => IsOver(g, listed[g.Provider], states, now)))
        {
            try
            {
                if (await clouds.Get(group.Provider).DeletePlacementGroupAsync(group.Region, group.Name, ct))
                {
                    logger.LogInformation("Deleted {Provider} placement group {Group} in {Region} (allocation {Allocation} {State})",
                        group.Provider, group.Name, group.Region, group.AllocationId, states.TryGetValue(group.AllocationId!.Value, out var s) ? s : "unknown");
                    deleted++;
                }
            }
            catch (ProviderException e)
            {
                logger.LogWarning("Cannot delete {Provider} placement group {Group} in {Region} yet ({Code}): {Reason}",
                    group.Provider, group.Name, group.Region, e.ProviderCode, e.Message);
            }
        }
        return deleted;
    }

    private bool IsOver(ProviderPlacementGroup group, IReadOnlyList<ProviderInstance> instances,
        IReadOnlyDictionary<Guid, AllocationState> states, DateTimeOffset now)
    {
        if (group.AllocationId is not { } id || instances.Any(i => i.AllocationId == id && i.State != InstanceState.Terminated))
        {
            return false;
        }
        if (states.TryGetValue(id, out var state))
        {
            return state == AllocationState.Closed;
        }
        // No row: another deployment's database, or rows lost. Its age is the later of the cloud's creation time and the
        // allocation id's placement time (UUIDv7); a group of unknown age is past the grace, since rows precede groups.
        DateTimeOffset?[] known = [group.CreatedAt, CloudGang.PlacedAt(id)];
        return known.Max() is not { } born || now - born > options.OrphanGrace;
    }
}
