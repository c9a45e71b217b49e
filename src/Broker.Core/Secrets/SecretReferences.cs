using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Secrets;

/// <summary>Checks a submission's <c>secretEnv</c> against the registered secrets, in the submitting request.</summary>
public static class SecretReferences
{
    /// <summary>422 naming <c>secretEnv.NAME</c> for each reference to a secret that does not exist or the team may not use.</summary>
    public static async Task EnsureUsableAsync(BrokerDbContext db, string team, IReadOnlyDictionary<string, string> references, CancellationToken ct)
    {
        if (references.Count == 0)
        {
            return;
        }
        var names = references.Values.Distinct(StringComparer.Ordinal).ToList();
        var found = await db.Set<Secret>().AsNoTracking().Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, ct);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (variable, secretName) in references)
        {
            if (!found.TryGetValue(secretName, out var secret) || !secret.AllowsTeam(team))
            {
                // One answer for both: a team learns nothing about secrets it may not use.
                errors[$"secretEnv.{variable}"] = [$"There is no secret '{secretName}' this team may use."];
            }
        }
        if (errors.Count > 0)
        {
            throw new RuleViolationException("The job references secrets it may not use.", errors);
        }
    }
}
