using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Azure;

internal sealed partial class FakeArm
{
    private readonly Dictionary<string, JsonObject> virtualMachines = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FakeArmFault> faultsBySize = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> abortsBySize = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Snapshot of the stored VMs as ARM would return them.</summary>
    public IReadOnlyList<JsonObject> VirtualMachines
    {
        get { lock (gate) { return virtualMachines.Values.Select(vm => vm.DeepClone().AsObject()).ToList(); } }
    }

    /// <summary>PUTs of this size fail synchronously with the given status and ARM error code.</summary>
    public void FailPut(string vmSize, int status, string code, string message, string? retryAfter = null, int times = int.MaxValue)
    {
        lock (gate)
        {
            faultsBySize[vmSize] = new FakeArmFault(true, status, code, message, retryAfter, times);
        }
    }

    /// <summary>PUTs of this size are accepted (201) but their long-running operation ends Failed with the code.</summary>
    public void FailAllocation(string vmSize, string code, string message, int times = int.MaxValue)
    {
        lock (gate)
        {
            faultsBySize[vmSize] = new FakeArmFault(false, 200, code, message, null, times);
        }
    }

    /// <summary>The next PUTs of this size store the VM and then drop the connection: the caller never sees the answer.</summary>
    public void AbortResponseAfterPut(string vmSize, int times = 1)
    {
        lock (gate)
        {
            abortsBySize[vmSize] = times;
        }
    }

    /// <summary>Puts a finished VM straight into the store, e.g. one Broker does not manage.</summary>
    public void AddVirtualMachine(string name, string size, string location, IReadOnlyDictionary<string, string> tags)
    {
        var vm = new JsonObject
        {
            ["location"] = location,
            ["tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
            ["properties"] = new JsonObject { ["hardwareProfile"] = new JsonObject { ["vmSize"] = size } },
        };
        lock (gate)
        {
            virtualMachines[name] = Stamp(name, vm, null);
            virtualMachines[name]["properties"]!["provisioningState"] = "Succeeded";
        }
    }

    private FakeArmResponse GetVirtualMachine(string name) =>
        virtualMachines.TryGetValue(name, out var vm) ? FakeArmResponse.Json(200, vm.DeepClone()) : NotFound("virtualMachines", name);

    private FakeArmResponse ListVirtualMachines(string path, IQueryCollection query)
    {
        var skip = int.TryParse(query["$skiptoken"], CultureInfo.InvariantCulture, out var token) ? token : 0;
        var all = virtualMachines.OrderBy(vm => vm.Key, StringComparer.Ordinal).Select(vm => vm.Value).ToList();
        var page = new JsonObject { ["value"] = new JsonArray(all.Skip(skip).Take(PageSize).Select(vm => vm.DeepClone()).ToArray()) };
        if (skip + PageSize < all.Count)
        {
            page["nextLink"] = $"{HttpsBase.ToString().TrimEnd('/')}{path}?api-version={query["api-version"]}&$skiptoken={skip + PageSize}";
        }
        return FakeArmResponse.Json(200, page);
    }

    private FakeArmResponse PutVirtualMachine(string name, JsonObject body)
    {
        var size = body["properties"]?["hardwareProfile"]?["vmSize"]?.GetValue<string>() ?? "";
        var fault = faultsBySize.GetValueOrDefault(size) is { Remaining: > 0 } f ? f : null;
        if (fault is { Synchronous: true })
        {
            fault.Remaining--;
            return FakeArmResponse.Error(fault.Status, fault.Code, fault.Message, fault.RetryAfter);
        }
        if (UnknownProximityPlacementGroup(body) is { } ppg)
        {
            return FakeArmResponse.Error(400, "InvalidResourceReference", $"Resource {ppg} referenced by resource {name} was not found.");
        }
        var nicName = body["properties"]?["networkProfile"]?["networkInterfaces"]?[0]?["id"]?.GetValue<string>().Split('/')[^1];
        if (nicName is null || !networkInterfaces.ContainsKey(nicName))
        {
            return FakeArmResponse.Error(400, "InvalidResourceReference", $"Resource {nicName} referenced by resource {name} was not found.");
        }
        var existed = virtualMachines.TryGetValue(name, out var previous);
        var vm = Stamp(name, body, previous);
        vm["properties"]!["provisioningState"] = existed ? "Updating" : "Creating";
        virtualMachines[name] = vm;
        if (fault is not null)
        {
            fault.Remaining--;
        }
        var operation = StartOperation((string)body["location"]!, fault, () => vm["properties"]!["provisioningState"] = fault is null ? "Succeeded" : "Failed");
        if (abortsBySize.GetValueOrDefault(size) > 0)
        {
            abortsBySize[size]--;
            return new FakeArmResponse(0, null, new Dictionary<string, string>(), AbortConnection: true);
        }
        return FakeArmResponse.Json(existed ? 200 : 201, vm.DeepClone(), operation);
    }

    private FakeArmResponse DeleteVirtualMachine(string name)
    {
        if (!virtualMachines.TryGetValue(name, out var vm))
        {
            return NotFound("virtualMachines", name);
        }
        vm["properties"]!["provisioningState"] = "Deleting";
        var headers = StartOperation((string)vm["location"]!, null, () =>
        {
            virtualMachines.Remove(name);
            foreach (var nic in vm["properties"]?["networkProfile"]?["networkInterfaces"]?.AsArray() ?? [])
            {
                if ((string?)nic?["properties"]?["deleteOption"] == "Delete")
                {
                    networkInterfaces.Remove(((string)nic["id"]!).Split('/')[^1]);
                }
            }
        });
        return FakeArmResponse.Json(202, null, headers);
    }

    private JsonObject Stamp(string name, JsonObject body, JsonObject? previous)
    {
        var vm = body.DeepClone().AsObject();
        vm["id"] = $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{name}";
        vm["name"] = name;
        vm["type"] = "Microsoft.Compute/virtualMachines";
        var properties = vm["properties"] as JsonObject ?? [];
        vm["properties"] = properties;
        properties["vmId"] = previous?["properties"]?["vmId"]?.DeepClone() ?? Guid.NewGuid().ToString();
        properties["timeCreated"] = previous?["properties"]?["timeCreated"]?.DeepClone() ?? clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        return vm;
    }

    private static FakeArmResponse NotFound(string type, string name) => FakeArmResponse.Error(404, "ResourceNotFound",
        $"The Resource '{type}/{name}' under resource group '{ResourceGroup}' was not found.");
}
