using Broker.Core.Jobs;
using Broker.Core.Secrets;

namespace Broker.Api.Contracts;

/// <param name="Teams">The teams that may reference the secret; omitted means every team.</param>
public sealed record CreateSecretRequest(string Name, string Value, string[]? Teams);

/// <param name="Teams">New teams; omitted keeps the secret's teams.</param>
public sealed record RotateSecretRequest(string Value, string[]? Teams);

/// <summary>A secret's metadata; never its value.</summary>
public sealed record SecretResponse(string Name, int Version, IReadOnlyList<string>? Teams, bool AllTeams, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record SecretListResponse(IReadOnlyList<SecretResponse> Items);

public static class SecretRules
{
    public static Dictionary<string, string[]> Check(string? name, string? value, string[]? teams)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (name is not null && !JobEnvironmentRules.IsSecretName(name))
        {
            errors["name"] = [JobEnvironmentRules.SecretNameRule];
        }
        if (value is null or "" || !JobEnvironmentRules.IsValueText(value) || JobEnvironmentRules.Utf8Bytes(value) > JobEnvironmentRules.MaxSecretValueBytes)
        {
            errors["value"] = [$"The value is 1 to {JobEnvironmentRules.MaxSecretValueBytes} bytes of text. {JobEnvironmentRules.ValueRule}"];
        }
        if (teams is { Length: 0 } || teams?.Length > JobEnvironmentRules.MaxSecretTeams)
        {
            errors["teams"] = [$"teams lists 1 to {JobEnvironmentRules.MaxSecretTeams} teams; omit it for every team."];
        }
        foreach (var (team, index) in (teams ?? []).Select((t, i) => (t, i)))
        {
            if (!TeamNames.IsValid(team))
            {
                errors[$"teams[{index}]"] = ["Team names are 1-64 lower-case letters, digits and '-', starting with a letter or digit."];
            }
        }
        return errors;
    }

    public static SecretResponse ToResponse(this SecretService.SecretView s) =>
        new(s.Name, s.Version, s.Teams, s.Teams is null, s.CreatedAt, s.UpdatedAt);
}
