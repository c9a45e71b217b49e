using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.OpenApi;

/// <summary>
/// What Redocly's lint asks of each operation, checked fast and by name, so a new endpoint without
/// <c>.WithName("verbNoun")</c> or a documented refusal is caught here with the operation named.
/// </summary>
public sealed partial class OpenApiConventionTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task Every_operation_has_a_unique_camel_case_operationId()
    {
        var operations = await OperationsAsync();

        var unnamed = operations.Where(o => o.Id is null).Select(o => o.Name).ToList();
        var badlyNamed = operations.Where(o => o.Id is { } id && !CamelCase().IsMatch(id)).Select(o => $"{o.Name}: {o.Id}").ToList();
        var duplicated = operations.Where(o => o.Id is not null).GroupBy(o => o.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(o => o.Name))}").ToList();

        Assert.True(unnamed.Count == 0, "Operations without an operationId (add .WithName(\"verbNoun\")): " + string.Join("; ", unnamed));
        Assert.True(badlyNamed.Count == 0, "operationIds that are not camelCase verbNoun: " + string.Join("; ", badlyNamed));
        Assert.True(duplicated.Count == 0, "operationIds used twice: " + string.Join("; ", duplicated));
        Assert.Contains(operations, o => o.Name == "POST /v1/jobs" && o.Id == "submitJob");
    }

    [Fact]
    public async Task Every_operation_documents_its_4xx_refusals_as_problem_documents()
    {
        var operations = await OperationsAsync();

        var without4xx = operations.Where(o => !o.Responses.Any(r => r.Status is >= 400 and < 500)).Select(o => o.Name).ToList();
        var notProblems = operations.SelectMany(o => o.Responses.Where(r => r.Status is >= 400 and < 600 && !r.IsProblem)
            .Select(r => $"{o.Name} {r.Status}")).ToList();

        Assert.True(without4xx.Count == 0, "Operations without a 4xx response: " + string.Join("; ", without4xx));
        Assert.True(notProblems.Count == 0, "Error responses not documented as application/problem+json: " + string.Join("; ", notProblems));
    }

    [Fact]
    public async Task Every_operation_that_documents_401_refuses_a_call_without_credentials_with_it()
    {
        var operations = await OperationsAsync();
        using var anonymous = app.CreateClient();

        var mismatches = new List<string>();
        foreach (var operation in operations)
        {
            var path = PathParameter().Replace(operation.Path, Guid.NewGuid().ToString());
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), path);
            using var response = await anonymous.SendAsync(request);
            var documented = operation.Responses.Any(r => r.Status == 401);
            if ((response.StatusCode == HttpStatusCode.Unauthorized) != documented)
            {
                mismatches.Add($"{operation.Name}: answered {(int)response.StatusCode}, 401 {(documented ? "" : "not ")}documented");
            }
            else if (documented && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                mismatches.Add($"{operation.Name}: 401 as {response.Content.Headers.ContentType?.MediaType}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Contains(operations, o => o.Responses.Any(r => r.Status == 401));
    }

    [Fact]
    public async Task Server_urls_have_no_trailing_slash_and_every_tag_is_described()
    {
        using var document = await DocumentAsync();

        var servers = document.RootElement.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString()!).ToList();
        var tags = document.RootElement.GetProperty("tags").EnumerateArray().ToList();

        Assert.NotEmpty(servers);
        Assert.All(servers, url => Assert.False(url.EndsWith('/'), $"server url '{url}' ends in a slash"));
        Assert.All(servers, url => Assert.True(Uri.TryCreate(url + "/v1/jobs", UriKind.Absolute, out var jobs) && jobs.AbsolutePath == "/v1/jobs"));
        Assert.NotEmpty(tags);
        Assert.All(tags, tag => Assert.False(string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var d) ? d.GetString() : null),
            $"tag '{tag.GetProperty("name").GetString()}' has no description (add it to TagDescriptionsTransformer)"));
    }

    [Fact]
    public async Task Problem_schema_admits_every_member_of_a_real_problem_document()
    {
        using var document = await DocumentAsync();
        using var anonymous = app.CreateClient();
        using var refused = await anonymous.GetAsync("/v1/jobs");
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());

        var schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails");
        var declared = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        var undeclared = problem.RootElement.EnumerateObject().Select(p => p.Name).Where(n => !declared.Contains(n)).ToList();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("traceId", problem.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("traceId", declared);
        Assert.False(closed && undeclared.Count > 0, "The ProblemDetails schema forbids members Broker sends: " + string.Join(", ", undeclared));
    }

    private sealed record Response(int Status, bool IsProblem);

    private sealed record Operation(string Method, string Path, string? Id, IReadOnlyList<Response> Responses)
    {
        public string Name => $"{Method.ToUpperInvariant()} {Path}";
    }

    private async Task<JsonDocument> DocumentAsync()
    {
        using var client = app.CreateClient();
        return JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
    }

    private async Task<IReadOnlyList<Operation>> OperationsAsync()
    {
        using var document = await DocumentAsync();
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var item in path.Value.EnumerateObject().Where(p => Methods.Contains(p.Name)))
            {
                var id = item.Value.TryGetProperty("operationId", out var operationId) ? operationId.GetString() : null;
                var responses = item.Value.TryGetProperty("responses", out var documented)
                    ? documented.EnumerateObject().Where(x => int.TryParse(x.Name, out _)).Select(ToResponse).ToList()
                    : [];
                operations.Add(new Operation(item.Name, path.Name, id, responses));
            }
        }
        Assert.NotEmpty(operations);
        return operations;
    }

    private static Response ToResponse(JsonProperty response) => new(int.Parse(response.Name, CultureInfo.InvariantCulture),
        response.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _));

    [GeneratedRegex(@"^[a-z]+[A-Z][A-Za-z0-9]*$")]
    private static partial Regex CamelCase();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
