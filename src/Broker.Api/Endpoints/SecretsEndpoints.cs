using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Secrets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

/// <summary>
/// Secrets ops register for jobs to reference by name (<c>secretEnv</c>), ADR 0015. Ops and admins only. No answer ever
/// holds a value: they are sealed with <c>Secrets:Key</c> before they are stored, and only a live allocation's own script
/// gets them back (<see cref="JobEnvironmentEndpoints"/>). Create, rotate and delete are audited without the value.
/// </summary>
public static class SecretsEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapSecrets(this IEndpointRouteBuilder app)
    {
        var secrets = app.MapGroup("/v1/secrets").WithTags("Secrets").RequireAuthorization(Policies.Operate);
        secrets.MapGet("/", List).WithName("listSecrets").WithSummary("Registered secrets: names, versions and teams, never values");
        secrets.MapGet("/{name}", Get).WithName("getSecret").WithSummary("One secret's metadata, never its value").ProducesProblem(StatusCodes.Status404NotFound);
        secrets.MapPost("/", Create).WithName("createSecret").WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Register a secret (its value is encrypted at rest and never shown again)")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        secrets.MapPut("/{name}", Rotate).WithName("rotateSecret").WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Rotate a secret: a new value (and optionally teams) under the next version; jobs started later get it")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        secrets.MapDelete("/{name}", Delete).WithName("deleteSecret").WithSummary("Delete a secret; jobs that reference it fail to start with the reason")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<SecretListResponse>> List(SecretService secrets, CancellationToken ct) =>
        TypedResults.Ok(new SecretListResponse([.. (await secrets.ListAsync(ct)).Select(s => s.ToResponse())]));

    public static async Task<Ok<SecretResponse>> Get(string name, SecretService secrets, CancellationToken ct) =>
        TypedResults.Ok((await secrets.GetAsync(name, ct)).ToResponse());

    public static async Task<Results<Created<SecretResponse>, ValidationProblem, ProblemHttpResult>> Create(CreateSecretRequest request,
        HttpContext context, SecretService secrets, SecretKeyring keyring, CancellationToken ct)
    {
        var errors = SecretRules.Check(request.Name ?? "", request.Value, request.Teams);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The secret is not valid");
        }
        if (!keyring.IsConfigured)
        {
            return NotConfigured();
        }
        var created = await secrets.CreateAsync(request.Name!, request.Value, request.Teams, context.Actor(), ct);
        return TypedResults.Created($"/v1/secrets/{created.Name}", created.ToResponse());
    }

    public static async Task<Results<Ok<SecretResponse>, ValidationProblem, ProblemHttpResult>> Rotate(string name, RotateSecretRequest request,
        HttpContext context, SecretService secrets, SecretKeyring keyring, CancellationToken ct)
    {
        var errors = SecretRules.Check(name, request.Value, request.Teams);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The secret is not valid");
        }
        if (!keyring.IsConfigured)
        {
            return NotConfigured();
        }
        return TypedResults.Ok((await secrets.RotateAsync(name, request.Value, request.Teams, context.Actor(), ct)).ToResponse());
    }

    public static async Task<NoContent> Delete(string name, HttpContext context, SecretService secrets, CancellationToken ct)
    {
        await secrets.DeleteAsync(name, context.Actor(), ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotConfigured() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Secrets are not enabled", detail: SecretKeyring.NotConfigured);
}
