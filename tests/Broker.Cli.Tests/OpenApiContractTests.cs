using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Cli.Api;
using Broker.Cli.Specs;

namespace Broker.Cli.Tests;

/// <summary>
/// The CLI's hand-written client checked against the OpenAPI document Broker serves: every operation and query parameter
/// it uses exists, every response field it reads is in the response schema, and its job file has exactly the fields of
/// the submit request. A change to the API that the CLI has not followed fails here, not in a user's terminal.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class OpenApiContractTests(CliBroker broker)
{
    private async Task<OpenApiDocument> DocumentAsync()
    {
        using var client = broker.CreateClient();
        var json = await client.GetStringAsync("/openapi/v1.json");
        return new OpenApiDocument(JsonNode.Parse(json)!.AsObject());
    }

    [Fact]
    public async Task Every_operation_and_query_parameter_the_cli_uses_is_in_brokers_openapi_document()
    {
        var document = await DocumentAsync();
        var missing = new List<string>();
        foreach (var call in ApiCalls.All)
        {
            if (document.Operation(call.Method, call.Path) is not { } operation)
            {
                missing.Add($"{call.Method} {call.Path}");
                continue;
            }
            // ASP.NET Core binds query parameters case-insensitively, and the document names [AsParameters] records' members
            // in PascalCase (State, Limit), so a parameter exists when its name matches ignoring case.
            var declared = OpenApiDocument.QueryParameters(operation).ToHashSet(StringComparer.OrdinalIgnoreCase);
            missing.AddRange(call.Query.Where(q => !declared.Contains(q)).Select(q => $"{call.Method} {call.Path} ?{q}"));
        }
        Assert.Empty(missing);
        Assert.Null(document.Operation("GET", "/v1/no-such-thing"));
    }

    [Fact]
    public async Task Every_response_field_the_cli_reads_is_in_the_operations_response_schema()
    {
        var document = await DocumentAsync();
        var missing = new List<string>();
        foreach (var call in ApiCalls.All.Where(c => c.Response is not null))
        {
            var operation = document.Operation(call.Method, call.Path)!;
            var schema = document.ResponseSchema(operation, "200", "201");
            if (schema is null)
            {
                missing.Add($"{call.Method} {call.Path}: no JSON response schema");
                continue;
            }
            Compare(document, call.Response!, schema, $"{call.Method} {call.Path}", missing);
        }
        Assert.Empty(missing);
    }

    [Fact]
    public async Task The_job_file_has_exactly_the_fields_of_the_submit_request_schema()
    {
        var document = await DocumentAsync();
        var request = document.RequestSchema(document.Operation(ApiCalls.SubmitJob.Method, ApiCalls.SubmitJob.Path)!)!;
        var cliOnly = new List<string>();
        Compare(document, typeof(JobSpec), request, "job file", cliOnly);
        var apiOnly = new List<string>();
        Uncovered(document, typeof(JobSpec), request, "POST /v1/jobs body", apiOnly);

        Assert.Empty(cliOnly);
        Assert.Empty(apiOnly);
    }

    [Fact]
    public void The_comparison_finds_a_field_the_schema_does_not_have()
    {
        var document = new OpenApiDocument(JsonNode.Parse("""
            {"paths": {}, "components": {"schemas": {"Me": {"type": "object", "properties": {"keyId": {}, "name": {}, "role": {}}}}}}
            """)!.AsObject());
        var missing = new List<string>();
        Compare(document, typeof(MeView), JsonNode.Parse("""{"$ref": "#/components/schemas/Me"}""")!.AsObject(), "me", missing);
        Assert.Equal(["me: team"], missing);
    }

    /// <summary>Every property the CLI's type reads (camelCase, as sent on the wire) must be in the schema, recursively.</summary>
    private static void Compare(OpenApiDocument document, Type type, JsonObject schema, string where, List<string> missing)
    {
        var properties = document.Properties(schema);
        foreach (var property in Readable(type))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!properties.TryGetValue(name, out var child))
            {
                missing.Add($"{where}: {name}");
                continue;
            }
            var (nested, isList) = Nested(property.PropertyType);
            if (nested is null)
            {
                continue;
            }
            var target = isList ? document.Items(child) : child;
            if (target is null)
            {
                missing.Add($"{where}.{name}: not an array in the schema");
                continue;
            }
            Compare(document, nested, target, $"{where}.{name}", missing);
        }
    }

    /// <summary>Every property of the schema must be one the CLI's type can carry, recursively.</summary>
    private static void Uncovered(OpenApiDocument document, Type type, JsonObject schema, string where, List<string> missing)
    {
        var carried = Readable(type).ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        foreach (var (name, child) in document.Properties(schema))
        {
            if (!carried.TryGetValue(name, out var property))
            {
                missing.Add($"{where}: {name}");
                continue;
            }
            if (Nested(property.PropertyType) is ({ } nested, var isList) && (isList ? document.Items(child) : child) is { } target)
            {
                Uncovered(document, nested, target, $"{where}.{name}", missing);
            }
        }
    }

    private static IEnumerable<PropertyInfo> Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    /// <summary>The object type a property holds (itself or as list items), or null for scalars and string maps.</summary>
    private static (Type? Type, bool IsList) Nested(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsValueType)
        {
            return (null, false);
        }
        if (type.IsGenericType && type.GetGenericArguments().Length == 2)
        {
            return (null, false);
        }
        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            var item = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            return Nested(item).Type is { } inner ? (inner, true) : (null, false);
        }
        return (type, false);
    }
}
