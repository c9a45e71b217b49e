using System.ComponentModel.DataAnnotations;
using Broker.Api.Input;
using Broker.Core.Auth;
using Broker.Core.Jobs;

namespace Broker.Api.Contracts;

public sealed record CreateApiKeyRequest(
    [property: Required, StringLength(128, MinimumLength = 1), SingleLineText] string Name,
    ApiKeyRole Role,
    [property: StringLength(TeamNames.MaxLength, MinimumLength = 1), RegularExpression(TeamNames.Pattern,
        ErrorMessage = "Team names are lower-case letters, digits and '-'.")] string? Team);

public sealed record ApiKeyResponse(Guid Id, string Name, string Role, string? Team, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Returned once, at creation: the only time the secret is shown.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Role, string? Team, string Prefix, DateTimeOffset CreatedAt, string Key);

public static class ApiKeyMapping
{
    public static ApiKeyResponse ToResponse(this ApiKey k) =>
        new(k.Id, k.Name, JsonNaming.Wire(k.Role), k.Team, k.Prefix, k.CreatedAt, k.RevokedAt);
}
