using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Azure;

/// <summary>
/// A loopback Azure Resource Manager that speaks just enough ARM JSON for the Compute SDK: VMs (PUT/GET/DELETE, list in a
/// resource group with nextLink paging), proximity placement groups (PUT, list with nextLink paging, DELETE refused with
/// 409 while a VM still references the group), NICs through the generic resource API, long-running operations polled through
/// Azure-AsyncOperation, and provider metadata. It records every call, answers unknown ones with 400 (and lists them in
/// <see cref="UnknownCalls"/>), and injects errors per VM size.
/// </summary>
internal sealed partial class FakeArm : IAsyncDisposable
{
    public const string Subscription = "3f2c6a8e-0000-4000-8000-00000000a2e0";
    public const string ResourceGroup = "broker-rg";
    public const string Token = "fake-arm-token";
    public const int PageSize = 2;

    private readonly Lock gate = new();
    private readonly List<FakeArmCall> calls = [];
    private readonly List<FakeArmCall> unknownCalls = [];
    private readonly TimeProvider clock;
    private LoopbackHost? host;

    private FakeArm(TimeProvider clock) => this.clock = clock;

    /// <summary>The address clients use: https, because Azure.Core sends bearer tokens only over TLS (see SchemeRewritingHandler).</summary>
    public Uri HttpsBase => new($"https://127.0.0.1:{host!.Address.Port}/");

    public IReadOnlyList<FakeArmCall> Calls
    {
        get { lock (gate) { return calls.ToList(); } }
    }

    public IReadOnlyList<FakeArmCall> UnknownCalls
    {
        get { lock (gate) { return unknownCalls.ToList(); } }
    }

    public static async Task<FakeArm> StartAsync(TimeProvider? clock = null)
    {
        var arm = new FakeArm(clock ?? TimeProvider.System);
        arm.host = await LoopbackHost.StartAsync(arm.HandleAsync);
        return arm;
    }

    public IReadOnlyList<FakeArmCall> CallsTo(string method, string pathSuffix) =>
        Calls.Where(c => c.Method == method && c.Path.EndsWith(pathSuffix, StringComparison.OrdinalIgnoreCase)).ToList();

    public ValueTask DisposeAsync() => host?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var call = new FakeArmCall(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", body.Length > 0 ? body : null, clock.GetUtcNow());
        lock (gate)
        {
            calls.Add(call);
        }
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            await FakeArmResponse.Error(401, "InvalidAuthenticationToken", "The access token is invalid.").WriteAsync(context);
            return;
        }
        FakeArmResponse? response;
        lock (gate)
        {
            response = Route(call, request.Query);
            if (response is null)
            {
                unknownCalls.Add(call);
            }
        }
        await (response ?? FakeArmResponse.Error(400, "FakeArmUnknownCall", $"{call.Method} {call.Path} is not served by the fake.")).WriteAsync(context);
    }

    private FakeArmResponse? Route(FakeArmCall call, IQueryCollection query)
    {
        if (VmPath().Match(call.Path) is { Success: true } vm)
        {
            if (!string.Equals(vm.Groups["rg"].Value, ResourceGroup, StringComparison.OrdinalIgnoreCase))
            {
                return FakeArmResponse.Error(404, "ResourceGroupNotFound", $"Resource group '{vm.Groups["rg"].Value}' could not be found.");
            }
            var name = vm.Groups["name"].Value;
            return (call.Method, name.Length) switch
            {
                ("GET", 0) => ListVirtualMachines(call.Path, query),
                ("GET", _) => GetVirtualMachine(name),
                ("PUT", _) => PutVirtualMachine(name, JsonNode.Parse(call.Body ?? "{}")!.AsObject()),
                ("DELETE", _) => DeleteVirtualMachine(name),
                _ => null,
            };
        }
        if (NicPath().Match(call.Path) is { Success: true } nic)
        {
            var name = nic.Groups["name"].Value;
            return call.Method switch
            {
                "GET" => GetNetworkInterface(name),
                "PUT" => PutNetworkInterface(name, call.Path, JsonNode.Parse(call.Body ?? "{}")!.AsObject()),
                "DELETE" => DeleteNetworkInterface(name),
                _ => null,
            };
        }
        if (PpgPath().Match(call.Path) is { Success: true } ppg)
        {
            var name = ppg.Groups["name"].Value;
            return (call.Method, name.Length) switch
            {
                ("GET", 0) => ListProximityPlacementGroups(call.Path, query),
                ("PUT", > 0) => PutProximityPlacementGroup(name, call.Path, JsonNode.Parse(call.Body ?? "{}")!.AsObject()),
                ("DELETE", > 0) => DeleteProximityPlacementGroup(name),
                _ => null,
            };
        }
        if (OperationPath().Match(call.Path) is { Success: true, } operation && call.Method == "GET")
        {
            return PollOperation(operation.Groups["id"].Value);
        }
        return null;
    }

    [GeneratedRegex("^/subscriptions/[^/]+/resourceGroups/(?<rg>[^/]+)/providers/Microsoft.Compute/virtualMachines(/(?<name>[^/]+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex VmPath();

    [GeneratedRegex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.Network/networkInterfaces/(?<name>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex NicPath();

    [GeneratedRegex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.Compute/proximityPlacementGroups(/(?<name>[^/]+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex PpgPath();

    [GeneratedRegex("^/subscriptions/[^/]+/providers/Microsoft.Compute/locations/[^/]+/operations/(?<id>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex OperationPath();
}
