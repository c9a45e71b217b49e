using Broker.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broker.Api.Hosting;

/// <summary>
/// Documents the problem+json refusals that Broker's pipeline, not the handler, gives an operation, read from the same
/// endpoint metadata the pipeline acts on: 401 and 403 from the API key handler and the endpoint's policy, 400 from
/// <see cref="Input.RequestTextGuard"/> (parameters) and the JSON readers (bodies), 413 from <see cref="BodySizeLimit"/>,
/// 415 from <see cref="Input.JsonBodyGuard"/>, 429 from the rate limiter, which covers every documented path. A response the
/// endpoint declares itself (<c>ProducesProblem</c>) is left as it is.
/// </summary>
public sealed class PipelineRefusalsTransformer : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";
    private static readonly string[] AllRoles = [Roles.Submitter, Roles.Finance, Roles.Ops, Roles.Admin];

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var refusals = new List<(int Status, string Description, Type Body)>();
        var hasBody = operation.RequestBody is not null;
        if (hasBody || operation.Parameters is { Count: > 0 })
        {
            refusals.Add((StatusCodes.Status400BadRequest, hasBody
                ? "The request body or a parameter is not valid: unreadable JSON, a wrong type, an unknown or repeated field, or text Broker cannot accept. The errors name each field."
                : "A parameter is not valid (or holds text Broker cannot accept); the errors name each one.", typeof(HttpValidationProblemDetails)));
        }
        if (UsesApiKey(metadata))
        {
            refusals.Add((StatusCodes.Status401Unauthorized, "No API key, or one that is unknown or revoked.", typeof(ProblemDetails)));
            if (await RestrictsRolesAsync(metadata, context.ApplicationServices))
            {
                refusals.Add((StatusCodes.Status403Forbidden, "The API key's role may not do this.", typeof(ProblemDetails)));
            }
        }
        if (hasBody)
        {
            refusals.Add((StatusCodes.Status413PayloadTooLarge, "The request body is larger than this operation accepts.", typeof(ProblemDetails)));
            refusals.Add((StatusCodes.Status415UnsupportedMediaType, "The body is not JSON in UTF-8 (send Content-Type: application/json).",
                typeof(ProblemDetails)));
        }
        refusals.Add((StatusCodes.Status429TooManyRequests, "Too many requests from this API key (or for this allocation); retry after Retry-After seconds.",
            typeof(ProblemDetails)));

        operation.Responses ??= [];
        foreach (var (status, description, body) in refusals)
        {
            var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(code))
            {
                continue;
            }
            var response = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = await ReferenceAsync(body, context, cancellationToken) } },
            };
            if (status == StatusCodes.Status429TooManyRequests)
            {
                response.Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
                };
            }
            operation.Responses[code] = response;
        }
        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (code, response) in ordered)
        {
            operation.Responses[code] = response;
        }
    }

    private static bool UsesApiKey(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() && !metadata.OfType<WithoutApiKey>().Any();

    /// <summary>Whether a valid key of some role is refused (403): a policy whose role list leaves out one of Broker's roles.</summary>
    private static async Task<bool> RestrictsRolesAsync(IList<object> metadata, IServiceProvider services)
    {
        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var requirements = metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements).ToList();
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            if (data.Roles is not null)
            {
                return true;
            }
            if (data.Policy is { } name && await policies.GetPolicyAsync(name) is { } policy)
            {
                requirements.AddRange(policy.Requirements);
            }
        }
        return requirements.OfType<RolesAuthorizationRequirement>().Any(r => !AllRoles.All(r.AllowedRoles.Contains));
    }

    private static async Task<IOpenApiSchema> ReferenceAsync(Type body, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var document = context.Document ?? throw new InvalidOperationException("Operation transformers run inside a document.");
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey(body.Name))
        {
            document.Components.Schemas[body.Name] = await context.GetOrCreateSchemaAsync(body, null, ct);
        }
        return new OpenApiSchemaReference(body.Name, document);
    }
}
