namespace Broker.Providers.Gcp;

/// <summary>Machine families whose GPUs come with the machine type (no guestAccelerators needed).</summary>
public static class GcpMachineFamilies
{
    private static readonly string[] GpuFamilies = ["a2-", "a3-", "a4-", "a4x-", "g2-", "g4-"];

    /// <summary>GPU VMs cannot live-migrate, so they need <c>onHostMaintenance: TERMINATE</c> on every provisioning model.</summary>
    public static bool HasGpus(string machineType) =>
        GpuFamilies.Any(prefix => machineType.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
