using System.Text.Json.Nodes;

namespace Broker.Providers.Tests.Azure;

internal sealed partial class FakeArm
{
    private readonly Dictionary<string, JsonObject> networkInterfaces = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> NetworkInterfaceNames
    {
        get { lock (gate) { return networkInterfaces.Keys.ToList(); } }
    }

    private FakeArmResponse GetNetworkInterface(string name) =>
        networkInterfaces.TryGetValue(name, out var nic) ? FakeArmResponse.Json(200, nic.DeepClone()) : NotFound("networkInterfaces", name);

    /// <summary>Microsoft.Network finishes a NIC PUT synchronously: 201/200 with provisioningState Succeeded.</summary>
    private FakeArmResponse PutNetworkInterface(string name, string path, JsonObject body)
    {
        if (body["properties"]?["ipConfigurations"]?[0]?["properties"]?["subnet"]?["id"] is null)
        {
            return FakeArmResponse.Error(400, "InvalidRequestFormat", "A NIC needs an ip configuration with a subnet.");
        }
        var existed = networkInterfaces.ContainsKey(name);
        var nic = body.DeepClone().AsObject();
        nic["id"] = path;
        nic["name"] = name;
        nic["type"] = "Microsoft.Network/networkInterfaces";
        nic["properties"]!["provisioningState"] = "Succeeded";
        networkInterfaces[name] = nic;
        return FakeArmResponse.Json(existed ? 200 : 201, nic.DeepClone());
    }

    private FakeArmResponse DeleteNetworkInterface(string name) =>
        networkInterfaces.Remove(name) ? FakeArmResponse.Json(200, null) : NotFound("networkInterfaces", name);
}
