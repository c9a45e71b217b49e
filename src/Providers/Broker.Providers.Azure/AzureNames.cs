namespace Broker.Providers.Azure;

/// <summary>
/// Deterministic resource names: the VM name is the idempotency key, so a retried create PUTs the same resource.
/// <c>broker-</c> + 32 hex digits is 39 characters, within Azure's limits for Linux VM names, computer names and NICs.
/// </summary>
public static class AzureNames
{
    private const string Prefix = "broker-";

    public static string VirtualMachine(Guid allocationId) => Prefix + allocationId.ToString("N");

    public static string NetworkInterface(string vmName) => vmName + "-nic";

    public static string OsDisk(string vmName) => vmName + "-osdisk";

    /// <summary>Accepts a bare VM name or a full ARM resource id and returns the VM name.</summary>
    public static string VmNameFromInstanceId(string instanceId)
    {
        var slash = instanceId.LastIndexOf('/');
        return slash >= 0 ? instanceId[(slash + 1)..] : instanceId;
    }

    /// <summary>
    /// Azure zones are the logical numbers "1", "2", "3"; Broker may also spell them "eastus-1". Returns the number,
    /// or null for a request without a zone.
    /// </summary>
    public static string? ZoneNumber(string? zone)
    {
        if (string.IsNullOrWhiteSpace(zone))
        {
            return null;
        }
        var digits = zone.Length - zone.Reverse().TakeWhile(char.IsAsciiDigit).Count();
        return digits < zone.Length ? zone[digits..] : throw new ArgumentException($"Zone '{zone}' does not end in a zone number.", nameof(zone));
    }
}
