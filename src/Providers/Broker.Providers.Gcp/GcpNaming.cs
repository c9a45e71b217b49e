using System.Security.Cryptography;
using System.Text;
using Broker.Core.Capacity;

namespace Broker.Providers.Gcp;

/// <summary>Deterministic names and request ids, so that every retry of one allocation addresses the same instance.</summary>
public static class GcpNaming
{
    /// <summary><c>broker-</c> + 32 lower-case hex digits: matches <c>[a-z]([-a-z0-9]{0,61}[a-z0-9])?</c>.</summary>
    public static string InstanceName(Guid allocationId) => "broker-" + allocationId.ToString("N");

    /// <summary>
    /// The insert's requestId, derived from the allocation and the offer it is placed on. GCE answers a repeated requestId
    /// with the first request's operation, so the offer is part of the input: an allocation moved to another zone or
    /// machine type sends a new request instead of being handed the old zone's operation.
    /// </summary>
    public static Guid InsertRequestId(Guid allocationId, string zone, string machineType, CapacityType market) =>
        NameBasedUuid($"insert/{allocationId:D}/{zone}/{machineType}/{market}");

    public static Guid DeleteRequestId(string zone, string instanceName) => NameBasedUuid($"delete/{zone}/{instanceName}");

    /// <summary>An RFC 9562 version-8 UUID from the SHA-256 of <paramref name="name"/>: stable across processes and never zero.</summary>
    internal static Guid NameBasedUuid(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("broker-gcp:" + name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The last path segment of a resource URL (<c>.../zones/us-central1-a</c> gives <c>us-central1-a</c>).</summary>
    public static string LastSegment(string? url) =>
        string.IsNullOrEmpty(url) ? "" : url[(url.TrimEnd('/').LastIndexOf('/') + 1)..].TrimEnd('/');

    /// <summary>Region of a zone name: <c>us-central1-a</c> gives <c>us-central1</c>.</summary>
    public static string RegionOf(string zone)
    {
        var dash = zone.LastIndexOf('-');
        return dash > 0 ? zone[..dash] : zone;
    }
}
