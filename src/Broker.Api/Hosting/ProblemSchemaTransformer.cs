using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broker.Api.Hosting;

/// <summary>
/// Problem documents carry extension members (<c>traceId</c> on every one, <c>reason</c> on a refused callback token), which
/// the strict JSON options would otherwise describe as forbidden (<c>additionalProperties: false</c>): a client validating
/// responses against the document would reject Broker's own refusals.
/// </summary>
public sealed class ProblemSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is null && typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
        {
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The request's trace id, to find it in Broker's logs.",
            };
        }
        return Task.CompletedTask;
    }
}
