using System.Text.Json.Nodes;

namespace Broker.Providers.Tests.Azure;

internal sealed partial class FakeArm
{
    private readonly Dictionary<string, JsonObject> proximityPlacementGroups = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Proximity placement groups by name, as stored (with id).</summary>
    public IReadOnlyDictionary<string, JsonObject> ProximityPlacementGroups
    {
        get { lock (gate) { return proximityPlacementGroups.ToDictionary(p => p.Key, p => p.Value.DeepClone().AsObject(), StringComparer.OrdinalIgnoreCase); } }
    }

    /// <summary>Microsoft.Compute answers a PPG PUT synchronously (200 or 201), no long-running operation.</summary>
    private FakeArmResponse PutProximityPlacementGroup(string name, string path, JsonObject body)
    {
        if (body["location"]?.GetValue<string>() is not { Length: > 0 })
        {
            return FakeArmResponse.Error(400, "LocationRequired", "The location property is required for this definition.");
        }
        var type = body["properties"]?["proximityPlacementGroupType"]?.GetValue<string>();
        if (type is not (null or "Standard" or "Ultra"))
        {
            return FakeArmResponse.Error(400, "InvalidParameter", $"Invalid proximityPlacementGroupType '{type}'.");
        }
        var existed = proximityPlacementGroups.ContainsKey(name);
        var ppg = body.DeepClone().AsObject();
        ppg["id"] = path;
        ppg["name"] = name;
        ppg["type"] = "Microsoft.Compute/proximityPlacementGroups";
        proximityPlacementGroups[name] = ppg;
        return FakeArmResponse.Json(existed ? 200 : 201, ppg.DeepClone());
    }

    /// <summary>The PPG id a VM body references, which must name a stored group (ARM refuses a VM with an unknown one).</summary>
    private string? UnknownProximityPlacementGroup(JsonObject vmBody) =>
        vmBody["properties"]?["proximityPlacementGroup"]?["id"]?.GetValue<string>() is { } id
        && !proximityPlacementGroups.ContainsKey(id[(id.LastIndexOf('/') + 1)..]) ? id : null;
}
