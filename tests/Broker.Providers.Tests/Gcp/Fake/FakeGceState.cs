using System.Text.Json.Nodes;

namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>What the fake Compute Engine holds: instances, operations (PENDING, RUNNING, DONE: one step per poll), requestIds.</summary>
internal sealed class FakeGceState(string project, IReadOnlyList<string> zones)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, FakeInstance> instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeOperation> operations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> operationByRequestId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeFault> faults = new(StringComparer.Ordinal);
    private readonly List<FakeCall> calls = [];
    private readonly Dictionary<string, JsonObject> resourcePolicies = new(StringComparer.Ordinal);
    private int sequence;

    public string Project => project;
    public IReadOnlyList<string> Zones => zones;
    public Lock Gate => gate;

    /// <summary>Resource policies by path (<c>projects/P/regions/R/resourcePolicies/NAME</c>) with the body they were inserted with.</summary>
    public IReadOnlyDictionary<string, JsonObject> ResourcePolicies()
    {
        lock (gate)
        {
            return new Dictionary<string, JsonObject>(resourcePolicies, StringComparer.Ordinal);
        }
    }

    /// <summary>False when a policy of that path exists.</summary>
    public bool AddResourcePolicy(string path, JsonObject body)
    {
        lock (gate)
        {
            body["creationTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
            return resourcePolicies.TryAdd(path, body);
        }
    }

    /// <summary>Removes the policy unless an instance that still exists (a STOPPING one too) names it; its path, or null if none does.</summary>
    public (bool Found, string? User) RemoveResourcePolicy(string path)
    {
        lock (gate)
        {
            if (!resourcePolicies.ContainsKey(path))
            {
                return (false, null);
            }
            var user = instances.Values.FirstOrDefault(i => (i.Body["resourcePolicies"] as JsonArray ?? [])
                .Any(p => p?.GetValue<string>() is { } named && named.EndsWith(path, StringComparison.Ordinal)));
            if (user is not null)
            {
                return (true, $"projects/{project}/zones/{user.Zone}/instances/{user.Name}");
            }
            resourcePolicies.Remove(path);
            return (true, null);
        }
    }

    public bool HasResourcePolicy(string path)
    {
        lock (gate)
        {
            return resourcePolicies.ContainsKey(path);
        }
    }

    public void Record(FakeCall call)
    {
        lock (gate)
        {
            calls.Add(call);
        }
    }

    public IReadOnlyList<FakeCall> Calls()
    {
        lock (gate)
        {
            return calls.ToList();
        }
    }

    public void Inject(string machineType, FakeFault fault)
    {
        lock (gate)
        {
            faults[machineType] = fault;
        }
    }

    /// <summary>The fault for this insert, counting it down.</summary>
    public FakeFault? TakeFault(string machineType)
    {
        lock (gate)
        {
            if (!faults.TryGetValue(machineType, out var fault) || fault.Times <= 0)
            {
                return null;
            }
            faults[machineType] = fault with { Times = fault.Times == int.MaxValue ? int.MaxValue : fault.Times - 1 };
            return fault;
        }
    }

    public FakeOperation? OperationForRequest(string? requestId)
    {
        lock (gate)
        {
            return requestId is not null && operationByRequestId.TryGetValue(requestId, out var name) ? operations[name] : null;
        }
    }

    public FakeOperation NewOperation(string zone, string type, string target, string? requestId, FakeFault? failure)
    {
        lock (gate)
        {
            var op = new FakeOperation($"operation-{++sequence:D6}", zone, type, target, failure);
            operations[op.Name] = op;
            if (requestId is not null)
            {
                operationByRequestId[requestId] = op.Name;
            }
            return op;
        }
    }

    /// <summary>Advances the operation one step and applies its effect when it reaches DONE.</summary>
    public FakeOperation? Poll(string name)
    {
        lock (gate)
        {
            if (!operations.TryGetValue(name, out var op))
            {
                return null;
            }
            if (op.Step < 2 && ++op.Step == 2)
            {
                Complete(op);
            }
            return op;
        }
    }

    public FakeInstance? Find(string zone, string name)
    {
        lock (gate)
        {
            return instances.GetValueOrDefault(Key(zone, name));
        }
    }

    public void Put(FakeInstance instance)
    {
        lock (gate)
        {
            instances[Key(instance.Zone, instance.Name)] = instance;
        }
    }

    public IReadOnlyList<FakeInstance> AllInstances()
    {
        lock (gate)
        {
            return instances.Values.OrderBy(i => i.Zone, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
        }
    }

    private void Complete(FakeOperation op)
    {
        var key = Key(op.Zone, op.Target);
        if (op.Type == "delete" || op.Failure is not null)
        {
            instances.Remove(key);
        }
        else if (instances.TryGetValue(key, out var created))
        {
            created.Status = "RUNNING";
        }
    }

    private static string Key(string zone, string name) => zone + "/" + name;
}

internal sealed class FakeInstance(string name, string zone, string machineType, JsonObject body)
{
    public string Name => name;
    public string Zone => zone;
    public string MachineType => machineType;
    /// <summary>The body as inserted (labels, scheduling, metadata, disks ...).</summary>
    public JsonObject Body => body;
    public string Status { get; set; } = "PROVISIONING";
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public IReadOnlyDictionary<string, string> Labels =>
        (Body["labels"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
}

internal sealed class FakeOperation(string name, string zone, string type, string target, FakeFault? failure)
{
    public string Name => name;
    public string Zone => zone;
    public string Type => type;
    public string Target => target;
    public FakeFault? Failure => failure;
    /// <summary>0 PENDING, 1 RUNNING, 2 DONE.</summary>
    public int Step { get; set; }
    public string Status => Step switch { 0 => "PENDING", 1 => "RUNNING", _ => "DONE" };
}
