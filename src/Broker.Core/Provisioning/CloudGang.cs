using System.Security.Cryptography;
using System.Text;

namespace Broker.Core.Provisioning;

/// <summary>The names a cloud gang (ADR 0012) derives from its allocation: member idempotency tokens and the placement group.</summary>
public static class CloudGang
{
    /// <summary>The allocation id for member 0; for member m a UUID (version 8) from SHA-256 of allocation id and m, the same on every retry.</summary>
    public static Guid MemberToken(Guid allocationId, int member)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        if (member == 0)
        {
            return allocationId;
        }
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"{allocationId:D}/member/{member}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>What every one of Broker's placement group names starts with; a group without it is never listed nor deleted.</summary>
    public const string PlacementGroupPrefix = "broker-gang-";

    /// <summary>Lower-case letters, digits and dashes, under 64 characters: valid as an AWS group, GCP resource policy and Azure PPG name.</summary>
    public static string PlacementGroupName(Guid allocationId) => $"{PlacementGroupPrefix}{allocationId:N}";

    /// <summary>Whether a provider's group is Broker's: its name starts with <see cref="PlacementGroupPrefix"/>.</summary>
    public static bool IsBrokersPlacementGroup(string name) => name.StartsWith(PlacementGroupPrefix, StringComparison.Ordinal);

    /// <summary>The refusal an adapter answers a delete of anybody else's group with.</summary>
    public static ProviderException NotBrokersPlacementGroup(string provider, string name) =>
        new(provider, ProviderErrorKind.InvalidRequest, Capacity.BlockScope.None, "NotBrokersPlacementGroup",
            $"'{name}' is not one of Broker's placement groups (they are named {PlacementGroupPrefix}<allocation>)");

    /// <summary>The allocation a <see cref="PlacementGroupName"/> was derived from, or null for any other name.</summary>
    public static Guid? AllocationOfPlacementGroup(string name) =>
        name.StartsWith(PlacementGroupPrefix, StringComparison.Ordinal)
        && name.Length == PlacementGroupPrefix.Length + 32
        && !name.AsSpan(PlacementGroupPrefix.Length).ContainsAnyInRange('A', 'Z')
        && Guid.TryParseExact(name.AsSpan(PlacementGroupPrefix.Length), "N", out var id)
            ? id
            : null;

    /// <summary>
    /// When the allocation was placed, from its UUIDv7 id (PlacementRound makes them from the placement clock); null for an
    /// id of another version.
    /// </summary>
    public static DateTimeOffset? PlacedAt(Guid allocationId)
    {
        if (allocationId.Version != 7)
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[16];
        allocationId.TryWriteBytes(bytes, bigEndian: true, out _);
        long millis = 0;
        foreach (var b in bytes[..6])
        {
            millis = (millis << 8) | b;
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(millis);
    }

    /// <summary>Whether the listing lacks any member of a gang whose members were all created.</summary>
    public static bool AnyMemberMissing(Allocation a, IReadOnlyList<ProviderInstance> listed) =>
        a.MemberInstanceIds is { Count: > 0 }
            ? MissingMembers(a, listed).Count > 0
            : !listed.Any(i => i.AllocationId == a.Id);

    /// <summary>The positions of the recorded members the listing lacks (or shows terminated).</summary>
    public static IReadOnlyList<int> MissingMembers(Allocation a, IReadOnlyList<ProviderInstance> listed) =>
        a.MemberInstanceIds is { Count: > 0 } members
            ? [.. Enumerable.Range(0, members.Count).Where(m => !listed.Any(i => i.InstanceId == members[m] && i.State != InstanceState.Terminated))]
            : [];

    /// <summary>
    /// Ends a live cloud gang because the provider took <paramref name="taken"/> of its members (a spot interruption, a
    /// vanished instance): they are recorded as the provider's (<see cref="Allocation.ReclaimedMembers"/>, none when it is
    /// not known which), the segment ends with <paramref name="end"/> and a reason naming them and the members Broker now
    /// terminates, and the job is requeued once (<see cref="JobLifecycle.Interrupted"/>). A gang that already ended is left
    /// as it is: a second report of the same interruption (another member's notice, the reconciler on another replica)
    /// changes nothing, so the first record of who was reclaimed stands.
    /// </summary>
    /// <param name="what">What happened to the taken members, e.g. <c>was reclaimed by aws (spot interruption)</c>.</param>
    public static void Interrupt(Jobs.Job job, Allocation a, IEnumerable<int> taken, AllocationEnd end, string what, DateTimeOffset at)
    {
        if (!a.IsCloudGang || !a.IsLive || a.State == AllocationState.Releasing)
        {
            return;
        }
        var count = a.InstanceCount!.Value;
        var members = taken.Where(m => m >= 0 && m < count).Distinct().Order().ToList();
        a.ReclaimedMembers = members.Count > 0 ? members : null;
        var others = Enumerable.Range(0, count).Except(members).ToList();
        var reason = members.Count == 0 ? $"A gang member {what} (which one was not reported); Broker terminates every member"
            : others.Count == 0 ? $"Every gang member {what}"
            : $"Gang {Plural("member", members.Count)} {Name(a, members)} {what}; Broker terminates the other {Plural("member", others.Count)} {Name(a, others)}";
        JobLifecycle.Interrupted(job, a, end, reason, at);
    }

    /// <summary>
    /// How each member of a cloud gang ended. When the gang ended because the provider took members (interrupted or
    /// vanished), those keep that end, and every other member ended <see cref="AllocationEnd.Terminated"/>: Broker terminated
    /// it because its sibling was gone, an ordinary termination the provider bills; when it is not known which member the
    /// provider took, every member is counted as terminated by Broker. Otherwise every member ended as the gang did.
    /// </summary>
    public static IReadOnlyList<GangMemberEnd> MemberEnds(Allocation a)
    {
        var count = a.InstanceCount ?? 1;
        var taken = a.ReclaimedMembers ?? [];
        var byProvider = a is { IsCloudGang: true, End: AllocationEnd.Interrupted or AllocationEnd.Vanished };
        var takenWhat = a.End == AllocationEnd.Interrupted ? "was interrupted" : "vanished";
        return [.. Enumerable.Range(0, count).Select(m => new { Member = m, Id = a.MemberInstanceIds?.ElementAtOrDefault(m) }).Select(m =>
            !byProvider ? new GangMemberEnd(m.Member, m.Id, a.End, a.EndReason)
            : taken.Contains(m.Member) ? new GangMemberEnd(m.Member, m.Id, a.End, a.End == AllocationEnd.Interrupted
                ? $"Reclaimed by {a.Provider} (spot interruption)" : "The instance vanished")
            : new GangMemberEnd(m.Member, m.Id, AllocationEnd.Terminated, taken.Count == 0
                ? "Terminated by Broker: the gang was interrupted and which member the provider took was not reported"
                : $"Terminated by Broker: gang {Plural("member", taken.Count)} {Name(a, taken)} {takenWhat}"))];
    }

    private static string Name(Allocation a, IReadOnlyList<int> members) => string.Join(", ", members.Select(m =>
        $"{m + 1} of {a.InstanceCount}" + (a.MemberInstanceIds?.ElementAtOrDefault(m) is { } id ? $" ({id})" : "")));

    private static string Plural(string word, int count) => count == 1 ? word : word + "s";

    public static string Describe(Allocation a) =>
        $"cloud gang of {a.InstanceCount} x {a.Provider} {a.Region}{(a.Zone is null ? "" : "/" + a.Zone)} {a.InstanceType} " +
        $"({a.Market.ToString().ToLowerInvariant()}, {a.Gpus / a.InstanceCount} GPUs each" +
        (a.MemberInstanceIds is { Count: > 0 } ids ? $": {string.Join(", ", ids)})" : ")");
}

/// <summary>How one member of a cloud gang ended (<see cref="CloudGang.MemberEnds"/>); a live gang's members have no end yet.</summary>
/// <param name="Member">Its position, 0 = the first member.</param>
public sealed record GangMemberEnd(int Member, string? InstanceId, AllocationEnd? End, string? Reason);
