using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;

namespace Broker.Providers.Azure;

/// <summary>
/// Creates and deletes the one NIC each VM needs. Azure.ResourceManager.Network is not served here, so the NIC goes
/// through ARM's generic resource API (a plain PUT/DELETE of <c>Microsoft.Network/networkInterfaces</c>) with the
/// api-version pinned in <see cref="AzureArmClientFactory"/>, which also spares the provider-discovery call.
/// </summary>
internal sealed class AzureNetworkInterfaces(ArmClient arm, AzureOptions options)
{
    public static readonly ResourceType ResourceType = new("Microsoft.Network/networkInterfaces");

    public ResourceIdentifier IdFor(string vmName) => new(
        $"/subscriptions/{options.SubscriptionId}/resourceGroups/{options.ResourceGroup}/providers/{ResourceType}/{AzureNames.NetworkInterface(vmName)}");

    public async Task<ResourceIdentifier> EnsureAsync(string vmName, string region, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var subnet = options.SubnetFor(region);
        if (subnet.Length == 0)
        {
            throw new ArgumentException($"No subnet is configured for region '{region}' (Providers:Azure:SubnetId or SubnetIdsByRegion).");
        }
        var id = IdFor(vmName);
        var data = new GenericResourceData(new AzureLocation(region))
        {
            Properties = BinaryData.FromObjectAsJson(new
            {
                ipConfigurations = new[]
                {
                    new { name = "ipconfig1", properties = new { privateIPAllocationMethod = "Dynamic", subnet = new { id = subnet } } },
                },
            }),
        };
        foreach (var (key, value) in tags)
        {
            data.Tags[key] = value;
        }
        // PUT by name: a retry updates the same NIC with the same body.
        var operation = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Started, id, data, ct);
        await AzureOperations.WaitAsync(operation, options, ct);
        return id;
    }

    public async Task DeleteAsync(string vmName, CancellationToken ct)
    {
        try
        {
            var operation = await arm.GetGenericResource(IdFor(vmName)).DeleteAsync(WaitUntil.Started, ct);
            await AzureOperations.WaitAsync(operation, options, ct);
        }
        catch (RequestFailedException e) when (AzureErrors.IsNotFound(e))
        {
        }
    }
}
