using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broker.Api.Hosting;

/// <summary>Documents the bearer API key scheme so the /docs page can send it.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Broker API";
        document.Info.Description = "Hybrid-cloud GPU burst broker. Authenticate with 'Authorization: Bearer <api key>'.";
        document.Info.License ??= new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Broker API key (brk_...).",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
        return Task.CompletedTask;
    }
}
