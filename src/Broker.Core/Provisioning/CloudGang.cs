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

    /// <summary>Lower-case letters, digits and dashes, under 64 characters: valid as an AWS group, GCP resource policy and Azure PPG name.</summary>
    public static string PlacementGroupName(Guid allocationId) => $"broker-gang-{allocationId:N}";

    /// <summary>Whether the listing lacks any member of a gang whose members were all created.</summary>
    public static bool AnyMemberMissing(Allocation a, IReadOnlyList<ProviderInstance> listed) =>
        a.MemberInstanceIds is { Count: > 0 } members
            ? members.Any(id => !listed.Any(i => i.InstanceId == id && i.State != InstanceState.Terminated))
            : !listed.Any(i => i.AllocationId == a.Id);

    public static string Describe(Allocation a) =>
        $"cloud gang of {a.InstanceCount} x {a.Provider} {a.Region}{(a.Zone is null ? "" : "/" + a.Zone)} {a.InstanceType} " +
        $"({a.Market.ToString().ToLowerInvariant()}, {a.Gpus / a.InstanceCount} GPUs each" +
        (a.MemberInstanceIds is { Count: > 0 } ids ? $": {string.Join(", ", ids)})" : ")");
}
