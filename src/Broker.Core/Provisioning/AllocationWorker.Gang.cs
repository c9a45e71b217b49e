using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>Cloud gangs (ADR 0012): N instances of one type in one zone, launched all or nothing and released as one.</summary>
public sealed partial class AllocationWorker
{
    /// <summary>
    /// Creates every member in order, each with its own idempotency token (<see cref="InstanceRequest.IdempotencyToken"/>)
    /// and the gang's placement group, and records them only once all exist. A member refused for good (capacity, a bad
    /// request) ends the gang: the offer is blocked, the segment ends (<see cref="AllocationEnd.NoCapacity"/> requeues the job,
    /// a refused launch counts towards its limit) and the release terminates every member already launched. A transient
    /// error leaves the rows as they are: the retry creates the same members again by their tokens.
    /// </summary>
    private async Task ProvisionGangAsync(Job job, Allocation a, CancellationToken ct)
    {
        var cloud = clouds.Get(a.Provider);
        var members = a.InstanceCount!.Value;
        var ids = new List<string>(members);
        for (var member = 0; member < members; member++)
        {
            var failed = $"gang member {member + 1} of {members}";
            try
            {
                ids.Add((await cloud.CreateAsync(GangMemberRequest(job, a, member, members), ct)).InstanceId);
            }
            catch (ArgumentException e)
            {
                logger.LogWarning("Allocation {Allocation}: job {Job} cannot be launched: {Reason}", a.Id, job.Id, e.Message);
                await AbortGangAsync(a, AllocationEnd.LaunchFailed, $"The job cannot be launched: {Reason(e)}", block: false, jobCannotRun: true, ct);
                return;
            }
            catch (ProviderException e) when (e.Kind == ProviderErrorKind.Capacity)
            {
                logger.LogInformation("Gang {Allocation}: {Member} found no capacity ({Code}); abandoning the gang", a.Id, failed, e.ProviderCode);
                await AbortGangAsync(a, AllocationEnd.NoCapacity, $"No capacity for {failed} ({e.ProviderCode})", block: true, jobCannotRun: false, ct);
                await passes.ScheduleAtAsync(clock.GetUtcNow(), clock.GetUtcNow(), ct);
                return;
            }
            catch (ProviderException e) when (e.Kind != ProviderErrorKind.Transient)
            {
                logger.LogWarning("Gang {Allocation}: launch of {Member} failed: {Code}: {Message}", a.Id, failed, e.ProviderCode, e.Message);
                await AbortGangAsync(a, AllocationEnd.LaunchFailed, $"Launch of {failed} failed ({e.ProviderCode})", block: true, jobCannotRun: false, ct);
                return;
            }
        }
        await ApplyAsync(a.Id, (j, x, now) =>
        {
            x.MemberInstanceIds ??= ids;
            JobLifecycle.Provisioning(j, x, ids[0], now);
        }, ct);
    }

    private async Task AbortGangAsync(Allocation a, AllocationEnd end, string reason, bool block, bool jobCannotRun, CancellationToken ct)
    {
        if (block)
        {
            await BlockGangOfferAsync(a, reason, ct);
        }
        var why = $"{reason}; the gang's members already launched are terminated";
        if (end == AllocationEnd.NoCapacity)
        {
            await ApplyAsync(a.Id, (j, x, now) => JobLifecycle.Interrupted(j, x, end, why, now), ct);
        }
        else
        {
            await FailLaunchAsync(a.Id, end, why, jobCannotRun, ct);
        }
        try
        {
            await ReleaseAsync(a.Id, ct);
        }
        catch (ProviderException e)
        {
            // The allocation stays Releasing: the reconciler releases it, and its orphan GC takes any member nobody owns.
            logger.LogWarning("Gang {Allocation}: terminating its launched members is left to the reconciler: {Reason}", a.Id, e.Message);
        }
    }

    /// <summary>
    /// Terminates every member: the ones recorded and any other instance tagged with the allocation (members created before a
    /// failed one, or whose create answer was lost). A gang that never came up also blocks its offer.
    /// </summary>
    private async Task ReleaseGangAsync(Allocation a, CancellationToken ct)
    {
        var cloud = clouds.Get(a.Provider);
        var ids = new List<string>(a.MemberInstanceIds ?? []);
        ids.AddRange((await cloud.ListManagedAsync(ct)).Where(i => i.AllocationId == a.Id && !ids.Contains(i.InstanceId)).Select(i => i.InstanceId));
        foreach (var id in ids)
        {
            await cloud.TerminateAsync(a.Region!, a.Zone, id, ct);
        }
        if (a.End == AllocationEnd.LaunchTimeout)
        {
            await BlockGangOfferAsync(a, $"cloud gang of {a.InstanceCount} did not come up within the launch timeout", ct);
        }
    }

    private Task BlockGangOfferAsync(Allocation a, string reason, CancellationToken ct) =>
        unavailable.BlockAsync(new OfferKey(a.Provider, a.Region!, a.Zone, a.InstanceType!, a.Market), BlockScope.Offering, reason, ct);

    /// <summary>One member's create: its position, the gang's size and placement group, and both in its environment.</summary>
    private InstanceRequest GangMemberRequest(Job job, Allocation a, int member, int members)
    {
        var environment = Environment(job, a);
        environment["BROKER_GANG_MEMBER"] = member.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["BROKER_GANG_SIZE"] = members.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var script = StartupScript.Render(new StartupScriptSpec(job.Id, a.Id, job.Image, job.Command, a.Gpus / members, environment,
            options.CallbackBaseUrl, tokens.ForCloudInstance(a, job, options), FetchJobEnvironment: job.HasEnvironment, GangMember: member));
        return new InstanceRequest(a.Id, job.Id, a.Region!, a.Zone, a.InstanceType!, a.Market, null, script,
            Member: member, Members: members, PlacementGroup: a.PlacementGroup);
    }
}
