using System.Text;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Azure;

/// <summary>Builds the VM body PUT for one allocation. The same request always yields the same body, so a retried PUT changes nothing.</summary>
internal static class AzureVmSpec
{
    /// <summary>Azure's "pay up to the on-demand price, never evict for price" value for a spot VM's max price.</summary>
    public const double UpToOnDemand = -1;

    public static VirtualMachineData Build(InstanceRequest request, AzureOptions options, string vmName, ResourceIdentifier nicId)
    {
        var data = new VirtualMachineData(new AzureLocation(request.Region))
        {
            HardwareProfile = new VirtualMachineHardwareProfile { VmSize = new VirtualMachineSizeType(request.InstanceType) },
            StorageProfile = new VirtualMachineStorageProfile
            {
                ImageReference = new ImageReference
                {
                    Publisher = options.Image.Publisher,
                    Offer = options.Image.Offer,
                    Sku = options.Image.Sku,
                    Version = options.Image.Version,
                },
                OSDisk = new VirtualMachineOSDisk(DiskCreateOptionType.FromImage)
                {
                    Name = AzureNames.OsDisk(vmName),
                    DeleteOption = DiskDeleteOptionType.Delete,
                },
            },
            OSProfile = new VirtualMachineOSProfile
            {
                ComputerName = vmName,
                AdminUsername = options.AdminUsername,
                CustomData = Convert.ToBase64String(Encoding.UTF8.GetBytes(request.StartupScript)),
                LinuxConfiguration = new LinuxConfiguration
                {
                    IsPasswordAuthenticationDisabled = true,
                    SshPublicKeys =
                    {
                        new SshPublicKeyConfiguration
                        {
                            Path = $"/home/{options.AdminUsername}/.ssh/authorized_keys",
                            KeyData = options.SshPublicKey,
                        },
                    },
                },
            },
            NetworkProfile = new VirtualMachineNetworkProfile
            {
                // DeleteOption.Delete makes Azure remove the NIC together with the VM.
                NetworkInterfaces = { new VirtualMachineNetworkInterfaceReference { Id = nicId, Primary = true, DeleteOption = ComputeDeleteOption.Delete } },
            },
        };
        if (request.Market == CapacityType.Spot)
        {
            data.Priority = VirtualMachinePriorityType.Spot;
            data.EvictionPolicy = VirtualMachineEvictionPolicyType.Delete;
            data.BillingMaxPrice = request.MaxPricePerHour is { } cap ? (double)cap : UpToOnDemand;
        }
        else
        {
            data.Priority = VirtualMachinePriorityType.Regular;
        }
        if (AzureNames.ZoneNumber(request.Zone) is { } zone)
        {
            data.Zones.Add(zone);
        }
        foreach (var (key, value) in ManagedTags.For(request))
        {
            data.Tags[key] = value;
        }
        return data;
    }
}
