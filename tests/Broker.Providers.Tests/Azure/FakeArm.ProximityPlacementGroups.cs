using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

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

    /// <summary>Puts a group straight into the store, e.g. one Broker does not manage.</summary>
    public void AddProximityPlacementGroup(string name, string location, IReadOnlyDictionary<string, string> tags)
    {
        var ppg = new JsonObject
        {
            ["location"] = location,
            ["tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
            ["properties"] = new JsonObject { ["proximityPlacementGroupType"] = "Standard" },
        };
        lock (gate)
        {
            PutProximityPlacementGroup(name, $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/proximityPlacementGroups/{name}", ppg);
        }
    }

    /// <summary>The resource group's groups, <see cref="PageSize"/> per page, each with the VMs that reference it (as ARM shows them).</summary>
    private FakeArmResponse ListProximityPlacementGroups(string path, IQueryCollection query)
    {
        var skip = int.TryParse(query["$skiptoken"], CultureInfo.InvariantCulture, out var token) ? token : 0;
        var all = proximityPlacementGroups.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var page = new JsonObject
        {
            ["value"] = new JsonArray(all.Skip(skip).Take(PageSize).Select(p => (JsonNode)WithMembers(p.Key, p.Value)).ToArray()),
        };
        if (skip + PageSize < all.Count)
        {
            page["nextLink"] = $"{HttpsBase.ToString().TrimEnd('/')}{path}?api-version={query["api-version"]}&$skiptoken={skip + PageSize}";
        }
        return FakeArmResponse.Json(200, page);
    }

    /// <summary>
    /// Synchronous: 200 when deleted, 204 when there was no such group; 409 while any VM (also one still being deleted)
    /// references it.
    /// </summary>
    private FakeArmResponse DeleteProximityPlacementGroup(string name)
    {
        if (!proximityPlacementGroups.ContainsKey(name))
        {
            return new FakeArmResponse(204, null, new Dictionary<string, string>());
        }
        if (MembersOf(name).FirstOrDefault() is { } member)
        {
            return FakeArmResponse.Error(409, "OperationNotAllowed",
                $"Proximity placement group '{name}' cannot be deleted: it is in use by virtual machine '{member}'.");
        }
        proximityPlacementGroups.Remove(name);
        return FakeArmResponse.Json(200, null);
    }

    private JsonObject WithMembers(string name, JsonObject ppg)
    {
        var shown = ppg.DeepClone().AsObject();
        var properties = shown["properties"] as JsonObject ?? [];
        shown["properties"] = properties;
        properties["virtualMachines"] = new JsonArray(MembersOf(name)
            .Select(vm => (JsonNode)new JsonObject { ["id"] = $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{vm}" })
            .ToArray());
        return shown;
    }

    private IEnumerable<string> MembersOf(string ppg) => virtualMachines
        .Where(vm => vm.Value["properties"]?["proximityPlacementGroup"]?["id"]?.GetValue<string>() is { } id
            && string.Equals(id[(id.LastIndexOf('/') + 1)..], ppg, StringComparison.OrdinalIgnoreCase))
        .Select(vm => vm.Key);

    /// <summary>The PPG id a VM body references, which must name a stored group (ARM refuses a VM with an unknown one).</summary>
    private string? UnknownProximityPlacementGroup(JsonObject vmBody) =>
        vmBody["properties"]?["proximityPlacementGroup"]?["id"]?.GetValue<string>() is { } id
        && !proximityPlacementGroups.ContainsKey(id[(id.LastIndexOf('/') + 1)..]) ? id : null;
}
