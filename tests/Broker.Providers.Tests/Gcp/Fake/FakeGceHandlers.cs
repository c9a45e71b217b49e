using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>The fake's instances and zoneOperations endpoints, with GCE's validation and requestId deduplication.</summary>
internal sealed partial class FakeGceHandlers(FakeGceServer server)
{
    private FakeGceState State => server.State;
    private string BaseUrl => server.ComputeUrl.ToString();

    public async Task<IResult> InsertAsync(HttpContext context, string project, string zone, string? requestId)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        if (requestId is not null && (!Guid.TryParse(requestId, out var id) || id == Guid.Empty))
        {
            return FakeGceJson.Error(context, 400, "invalid", $"Invalid value for field 'requestId': '{requestId}'.");
        }
        var body = (await JsonNode.ParseAsync(context.Request.Body))?.AsObject();
        var problem = body is null ? "empty body" : Invalid(body);
        if (problem is not null)
        {
            return FakeGceJson.Error(context, 400, "invalid", problem);
        }
        if (State.OperationForRequest(requestId) is { } earlier)
        {
            return Results.Json(FakeGceJson.Operation(BaseUrl, project, earlier));
        }
        foreach (var policy in body!["resourcePolicies"] as JsonArray ?? [])
        {
            var path = policy!.GetValue<string>();
            var relative = path.StartsWith(BaseUrl, StringComparison.Ordinal) ? path[BaseUrl.Length..] : path;
            if (!State.HasResourcePolicy(relative))
            {
                return FakeGceJson.Error(context, 400, "invalid", $"Invalid value for field 'resource.resourcePolicies[0]': '{path}'. The resource was not found.");
            }
        }
        var name = body!["name"]!.GetValue<string>();
        var machineType = body["machineType"]!.GetValue<string>().Split('/')[^1];
        var fault = State.TakeFault(machineType);
        if (fault is { Async: false })
        {
            return FakeGceJson.Error(context, fault.HttpStatus, fault.Code, fault.Message ?? $"{fault.Code} injected for {machineType}",
                fault.RetryAfter);
        }
        FakeOperation op;
        lock (State.Gate)
        {
            if (State.Find(zone, name) is not null)
            {
                return FakeGceJson.Error(context, 409, "alreadyExists",
                    $"The resource 'projects/{project}/zones/{zone}/instances/{name}' already exists");
            }
            State.Put(new FakeInstance(name, zone, machineType, body));
            op = State.NewOperation(zone, "insert", name, requestId, fault);
        }
        if (server.DropNextInsertResponse)
        {
            server.DropNextInsertResponse = false;
            context.Abort();
            return Results.Empty;
        }
        return Results.Json(FakeGceJson.Operation(BaseUrl, project, op));
    }

    /// <summary>resourcePolicies.insert, only compact placement (groupPlacementPolicy COLLOCATED); answers a DONE region operation.</summary>
    public async Task<IResult> InsertResourcePolicyAsync(HttpContext context, string project, string region, string? requestId)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        var body = (await JsonNode.ParseAsync(context.Request.Body))?.AsObject();
        if (body?["name"]?.GetValue<string>() is not { } name || !ResourceName().IsMatch(name))
        {
            return FakeGceJson.Error(context, 400, "invalid", $"Invalid value for field 'resource.name': '{body?["name"]}'.");
        }
        if (body["groupPlacementPolicy"]?["collocation"]?.GetValue<string>() is not ("COLLOCATED" or "UNSPECIFIED_COLLOCATION"))
        {
            return FakeGceJson.Error(context, 400, "invalid", "Invalid value for field 'resource.groupPlacementPolicy.collocation'.");
        }
        var path = $"projects/{project}/regions/{region}/resourcePolicies/{name}";
        if (!State.AddResourcePolicy(path, body))
        {
            return FakeGceJson.Error(context, 409, "alreadyExists", $"The resource '{path}' already exists");
        }
        return Results.Json(new JsonObject
        {
            ["kind"] = "compute#operation", ["name"] = $"operation-policy-{name}", ["operationType"] = "insert",
            ["status"] = "DONE", ["targetLink"] = BaseUrl + path, ["region"] = $"{BaseUrl}projects/{project}/regions/{region}",
        });
    }

    /// <summary>resourcePolicies.list in one region, <see cref="FakeGceServer.PageSize"/> per page; no filter support.</summary>
    public IResult ListResourcePolicies(HttpContext context, string project, string region, string? pageToken, string? filter)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        if (!string.IsNullOrEmpty(filter))
        {
            return FakeGceJson.Error(context, 400, "invalid", $"Invalid list filter expression '{filter}'.");
        }
        var prefix = $"projects/{project}/regions/{region}/resourcePolicies/";
        var all = State.ResourcePolicies().Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var skip = string.IsNullOrEmpty(pageToken) ? 0 : int.Parse(pageToken, System.Globalization.CultureInfo.InvariantCulture);
        var page = all.Skip(skip).Take(server.PageSize).Select(p =>
        {
            var json = p.Value.DeepClone().AsObject();
            json["kind"] = "compute#resourcePolicy";
            json["region"] = $"{BaseUrl}projects/{project}/regions/{region}";
            json["selfLink"] = BaseUrl + p.Key;
            json["status"] = "READY";
            return (JsonNode)json;
        }).ToArray();
        var response = new JsonObject
        {
            ["kind"] = "compute#resourcePolicyList", ["items"] = new JsonArray(page),
            ["selfLink"] = $"{BaseUrl}projects/{project}/regions/{region}/resourcePolicies",
        };
        if (skip + page.Length < all.Count)
        {
            response["nextPageToken"] = (skip + page.Length).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Results.Json(response);
    }

    /// <summary>
    /// resourcePolicies.delete: 404 for an unknown policy, 400 resourceInUseByAnotherResource while an instance that still
    /// exists uses it (as GCE refuses), else a DONE region operation.
    /// </summary>
    public IResult DeleteResourcePolicy(HttpContext context, string project, string region, string name)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        var path = $"projects/{project}/regions/{region}/resourcePolicies/{name}";
        return State.RemoveResourcePolicy(path) switch
        {
            (false, _) => FakeGceJson.Error(context, 404, "notFound", $"The resource '{path}' was not found"),
            (true, { } user) => FakeGceJson.Error(context, 400, "resourceInUseByAnotherResource",
                $"The resource_policy resource '{path}' is already being used by '{user}'"),
            _ => Results.Json(new JsonObject
            {
                ["kind"] = "compute#operation", ["name"] = $"operation-policy-delete-{name}", ["operationType"] = "delete",
                ["status"] = "DONE", ["targetLink"] = BaseUrl + path, ["region"] = $"{BaseUrl}projects/{project}/regions/{region}",
            }),
        };
    }

    public IResult Get(HttpContext context, string project, string zone, string name) =>
        Reject(context, project) ?? (State.Find(zone, name) is { } instance
            ? Results.Json(FakeGceJson.Instance(BaseUrl, project, instance))
            : NotFound(context, project, zone, name));

    public IResult Delete(HttpContext context, string project, string zone, string name, string? requestId)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        if (State.OperationForRequest(requestId) is { } earlier)
        {
            return Results.Json(FakeGceJson.Operation(BaseUrl, project, earlier));
        }
        lock (State.Gate)
        {
            if (State.Find(zone, name) is not { } instance)
            {
                return NotFound(context, project, zone, name);
            }
            instance.Status = "STOPPING";
            return Results.Json(FakeGceJson.Operation(BaseUrl, project, State.NewOperation(zone, "delete", name, requestId, null)));
        }
    }

    public IResult PollOperation(HttpContext context, string project, string zone, string operation) =>
        Reject(context, project) ?? (State.Poll(operation) is { } op && op.Zone == zone
            ? Results.Json(FakeGceJson.Operation(BaseUrl, project, op))
            : FakeGceJson.Error(context, 404, "notFound", $"The resource 'projects/{project}/zones/{zone}/operations/{operation}' was not found"));

    /// <summary>Supports <c>labels.KEY=VALUE</c> (optionally spaced and quoted) and no filter; pages of <see cref="FakeGceServer.PageSize"/>.</summary>
    public IResult AggregatedList(HttpContext context, string project, string? filter, string? pageToken)
    {
        if (Reject(context, project) is { } rejected)
        {
            return rejected;
        }
        Func<FakeInstance, bool> matches = _ => true;
        if (!string.IsNullOrEmpty(filter))
        {
            var m = LabelFilter().Match(filter);
            if (!m.Success)
            {
                return FakeGceJson.Error(context, 400, "invalid", $"Invalid list filter expression '{filter}'.");
            }
            matches = i => i.Labels.TryGetValue(m.Groups[1].Value, out var v) && v == m.Groups[2].Value;
        }
        var all = State.AllInstances().Where(matches).ToList();
        var skip = string.IsNullOrEmpty(pageToken) ? 0 : int.Parse(pageToken, System.Globalization.CultureInfo.InvariantCulture);
        var page = all.Skip(skip).Take(server.PageSize).ToList();
        var items = new JsonObject();
        foreach (var zone in State.Zones.Union(page.Select(i => i.Zone)).Order(StringComparer.Ordinal))
        {
            var inZone = page.Where(i => i.Zone == zone).Select(i => (JsonNode)FakeGceJson.Instance(BaseUrl, project, i)).ToArray();
            items[$"zones/{zone}"] = inZone.Length > 0
                ? new JsonObject { ["instances"] = new JsonArray(inZone) }
                : new JsonObject { ["warning"] = new JsonObject { ["code"] = "NO_RESULTS_ON_PAGE", ["message"] = "There are no results for scope on this page." } };
        }
        var response = new JsonObject { ["kind"] = "compute#instanceAggregatedList", ["items"] = items };
        if (skip + page.Count < all.Count)
        {
            response["nextPageToken"] = (skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Results.Json(response);
    }

    private IResult? Reject(HttpContext context, string project) =>
        project == State.Project ? null : FakeGceJson.Error(context, 404, "notFound", $"The resource 'projects/{project}' was not found");

    private static IResult NotFound(HttpContext context, string project, string zone, string name) =>
        FakeGceJson.Error(context, 404, "notFound", $"The resource 'projects/{project}/zones/{zone}/instances/{name}' was not found");

    /// <summary>The checks GCE makes that Broker's body could fail: resource name and label syntax, a machine type.</summary>
    private static string? Invalid(JsonObject body)
    {
        if (body["name"]?.GetValue<string>() is not { } name || !ResourceName().IsMatch(name))
        {
            return $"Invalid value for field 'resource.name': '{body["name"]}'.";
        }
        if (body["machineType"]?.GetValue<string>() is not { Length: > 0 })
        {
            return "Invalid value for field 'resource.machineType'.";
        }
        foreach (var (key, value) in body["labels"] as JsonObject ?? [])
        {
            if (!LabelKey().IsMatch(key) || value?.GetValue<string>() is not { } v || !LabelValue().IsMatch(v))
            {
                return $"Invalid value for field 'resource.labels': '{key}'.";
            }
        }
        return null;
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^[a-z0-9_-]{0,63}$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("""^labels\.([a-z0-9_-]+)\s*=\s*"?([^"]*)"?$""")]
    private static partial Regex LabelFilter();
}
