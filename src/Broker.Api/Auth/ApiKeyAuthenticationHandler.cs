using System.Security.Claims;
using System.Text.Encodings.Web;
using Broker.Api.ErrorHandling;
using Broker.Core.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Broker.Api.Auth;

/// <summary>Reads <c>Authorization: Bearer &lt;key&gt;</c>, looks the key's hash up (cached a few seconds, <see cref="ApiKeyCache"/>) and turns it into role and team claims.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header) || Context.GetEndpoint()?.Metadata.GetMetadata<WithoutApiKey>() is not null)
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Use 'Authorization: Bearer <api key>'.");
        }
        var secret = header["Bearer ".Length..].Trim();
        if (secret.Length is 0 or > 256)
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }
        var key = await keys.AuthenticateAsync(secret, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new(ClaimTypes.Name, key.Name),
            new(ClaimTypes.Role, JsonNamingRole(key.Role)),
        };
        if (key.Team is not null)
        {
            claims.Add(new Claim(Caller.TeamClaim, key.Team));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            "Send an API key as 'Authorization: Bearer <key>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden",
            "Your API key's role does not allow this operation.");

    private static string JsonNamingRole(ApiKeyRole role) => role.ToString().ToLowerInvariant();
}
