using System.Net;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Containers;

/// <summary>
/// The lifecycle app on a real loopback port, so the batch scripts of its Slurm jobs can post their events and logs back
/// (on-prem callbacks on), with a site image store holding a busybox image built offline from Debian's busybox-static, and
/// the node's fake GPU device files as the containers' devices.
/// </summary>
public sealed class ContainerSite : LifecycleApp
{
    public const string Team = "containers";
    public const string Image = "busybox:1.36";
    public const string Marker = "this file exists only inside the busybox image";

    private readonly BusyboxImageStore images;

    public ContainerSite()
    {
        images = BusyboxImageStore.CreateAsync(Image, new Dictionary<string, string> { ["/etc/broker-marker"] = Marker + "\n" })
            .GetAwaiter().GetResult();
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
        ["OnPrem:ImageStore"] = images.Layout,
        // The local cluster's fake GPU device files, one directory per node (scripts/slurm.sh, gres.conf).
        ["OnPrem:ContainerDevices:0"] = Path.Combine(SlurmServer.Directory, "dev", "{node}", "nvidia[0-9]*"),
        ["Lifecycle:OnPremCallbacks"] = "true",
    };

    /// <summary>Points the scripts' callbacks at the port Kestrel took (known only once the server runs).</summary>
    public void CallBackOnRealPort()
    {
        var url = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Services.GetRequiredService<LifecycleOptions>().CallbackBaseUrl = new Uri(url.TrimEnd('/') + "/");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            images.Dispose();
        }
    }
}
