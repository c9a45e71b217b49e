using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class ApiKeysEndpoints
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/api-keys").WithTags("API keys").RequireAuthorization(Policies.ManageKeys);
        keys.MapPost("/", Create).WithName("createApiKey").WithSummary("Create a key; the secret is in this response only").ProducesValidationProblem();
        keys.MapGet("/", List).WithName("listApiKeys").WithSummary("All keys, without secrets");
        keys.MapDelete("/{id:guid}", Revoke).WithName("revokeApiKey").WithSummary("Revoke a key (idempotent)").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Created<CreatedApiKeyResponse>> Create(CreateApiKeyRequest request, ApiKeyService keys, HttpContext context,
        CancellationToken ct)
    {
        var response = context.Response;
        var (key, secret) = await keys.CreateAsync(request.Name, request.Role, request.Team, ct, context.Actor());
        // The only response that carries a secret: no browser, proxy or client cache may keep it.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return TypedResults.Created($"/v1/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, JsonNaming.Wire(key.Role), key.Team, key.Prefix, key.CreatedAt, secret));
    }

    public static async Task<Ok<ApiKeyResponse[]>> List(ApiKeyService keys, CancellationToken ct) =>
        TypedResults.Ok((await keys.ListAsync(ct)).Select(k => k.ToResponse()).ToArray());

    public static async Task<NoContent> Revoke(Guid id, ApiKeyService keys, HttpContext context, CancellationToken ct)
    {
        await keys.RevokeAsync(id, ct, context.Actor());
        return TypedResults.NoContent();
    }
}
