using System.Text.Json.Nodes;

namespace Broker.Cli.Tests;

/// <summary>Reads Broker's OpenAPI document: operations by method and path, and schemas with their references followed.</summary>
public sealed class OpenApiDocument(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>The operation, or null. Paths compare without a trailing slash (a route group's "/" may or may not leave one).</summary>
    public JsonObject? Operation(string method, string path)
    {
        foreach (var (key, item) in Root["paths"]!.AsObject())
        {
            if (key.TrimEnd('/') == path.TrimEnd('/') && item?[method.ToLowerInvariant()] is JsonObject operation)
            {
                return operation;
            }
        }
        return null;
    }

    public static IEnumerable<string> QueryParameters(JsonObject operation) =>
        (operation["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>());

    public JsonObject? ResponseSchema(JsonObject operation, params string[] statuses) => statuses
        .Select(s => operation["responses"]?[s]?["content"]?["application/json"]?["schema"] as JsonObject)
        .FirstOrDefault(s => s is not null);

    public JsonObject? RequestSchema(JsonObject operation) =>
        operation["requestBody"]?["content"]?["application/json"]?["schema"] as JsonObject;

    /// <summary>The schema itself: references followed, and of a nullable union (oneOf/anyOf with null) the non-null member.</summary>
    public JsonObject Resolve(JsonObject schema)
    {
        for (var depth = 0; depth < 32; depth++)
        {
            if (schema["$ref"]?.GetValue<string>() is { } reference)
            {
                schema = Root["components"]!["schemas"]![reference.Split('/')[^1]]!.AsObject();
                continue;
            }
            var union = (schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"])?.AsArray();
            var member = union?.OfType<JsonObject>().FirstOrDefault(m => m["type"]?.ToString() != "null");
            if (member is null || schema["properties"] is not null || schema["items"] is not null)
            {
                return schema;
            }
            schema = member;
        }
        throw new InvalidOperationException("Schema references nest too deep.");
    }

    public IReadOnlyDictionary<string, JsonObject> Properties(JsonObject schema)
    {
        var resolved = Resolve(schema);
        return (resolved["properties"]?.AsObject() ?? []).ToDictionary(p => p.Key, p => p.Value!.AsObject());
    }

    public JsonObject? Items(JsonObject schema) => Resolve(schema)["items"] as JsonObject;
}
