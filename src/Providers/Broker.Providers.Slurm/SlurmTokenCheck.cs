using System.Buffers.Text;
using System.Text.Json;

namespace Broker.Providers.Slurm;

/// <summary>
/// Reads the claims of the configured JWT without verifying it, so a rejection can be explained ("expired at ...",
/// "issued for another user"). Returns null when nothing is visibly wrong. Never echoes the token.
/// </summary>
internal static class SlurmTokenCheck
{
    public static string? FindProblem(string token, string userName, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return "no Slurm token is configured (Slurm:Token)";
        }
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return "the configured Slurm token is not a JWT";
        }
        try
        {
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (claims.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var expSeconds)
                && DateTimeOffset.FromUnixTimeSeconds(expSeconds) <= now)
            {
                return $"the Slurm token expired at {DateTimeOffset.FromUnixTimeSeconds(expSeconds):u}";
            }
            if (claims.RootElement.TryGetProperty("sun", out var sun) && sun.GetString() is { } tokenUser
                && !string.Equals(tokenUser, userName, StringComparison.Ordinal))
            {
                return $"the Slurm token was issued for user '{tokenUser}' but Slurm:UserName is '{userName}'";
            }
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return "the configured Slurm token is not a readable JWT";
        }
    }
}
