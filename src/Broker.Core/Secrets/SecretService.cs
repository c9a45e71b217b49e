using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Secrets;

/// <summary>
/// Ops register, rotate and delete secrets; teams reference them by name. Every change is audited in its own transaction,
/// with the name, version and teams, never the value. Values are sealed before they reach the database and opened only
/// for a live allocation's script (<see cref="OpenForJobAsync"/>).
/// </summary>
public sealed class SecretService(BrokerDbContext db, SecretKeyring keyring, AuditTrail audit, TimeProvider clock)
{
    public sealed record SecretView(string Name, int Version, IReadOnlyList<string>? Teams, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public async Task<IReadOnlyList<SecretView>> ListAsync(CancellationToken ct) =>
        [.. (await db.Set<Secret>().AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct)).Select(View)];

    public async Task<SecretView> GetAsync(string name, CancellationToken ct) =>
        View(await db.Set<Secret>().AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, ct) ?? throw new NotFoundException("secret", name));

    public async Task<SecretView> CreateAsync(string name, string value, IReadOnlyList<string>? teams, AuditActor actor, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        var secret = new Secret
        {
            Name = name, Version = 1, Teams = Normalize(teams), CreatedAt = now, UpdatedAt = now, KeyId = keyring.Cipher.KeyId,
            SealedValue = keyring.Cipher.Seal(name, 1, value),
        };
        db.Add(secret);
        audit.Record(actor, "secret.create", $"secret:{name}", null, Audited(secret));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            throw new ConflictException($"A secret named '{name}' exists; rotate it with PUT /v1/secrets/{name}.");
        }
        return View(secret);
    }

    /// <summary>A new value (and, when given, new teams) under the next version; running jobs keep what they fetched.</summary>
    public async Task<SecretView> RotateAsync(string name, string value, IReadOnlyList<string>? teams, AuditActor actor, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var secret = await db.Set<Secret>().FirstOrDefaultAsync(s => s.Name == name, ct) ?? throw new NotFoundException("secret", name);
            var before = Audited(secret);
            secret.Version++;
            secret.SealedValue = keyring.Cipher.Seal(name, secret.Version, value);
            secret.KeyId = keyring.Cipher.KeyId;
            secret.Teams = teams is null ? secret.Teams : Normalize(teams);
            secret.UpdatedAt = PostgresTime.Now(clock);
            audit.Record(actor, "secret.rotate", $"secret:{name}", before, Audited(secret));
            try
            {
                await db.SaveChangesAsync(ct);
                return View(secret);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    public async Task DeleteAsync(string name, AuditActor actor, CancellationToken ct)
    {
        var secret = await db.Set<Secret>().FirstOrDefaultAsync(s => s.Name == name, ct) ?? throw new NotFoundException("secret", name);
        db.Remove(secret);
        audit.Record(actor, "secret.delete", $"secret:{name}", Audited(secret), null);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Rotated or deleted meanwhile: the caller sees the row as it is now.
            throw new ConflictException($"The secret '{name}' changed while it was being deleted; retry.");
        }
    }

    /// <summary>
    /// The job's variables in clear, for its own script only: the plain <c>env</c> and each <c>secretEnv</c> reference opened
    /// with the current key. A secret deleted since, or no longer allowed for the team, is named in <see cref="JobSecretsUnavailable"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> OpenForJobAsync(Job job, CancellationToken ct)
    {
        var variables = new SortedDictionary<string, string>(job.Env, StringComparer.Ordinal);
        if (job.SecretEnv.Count == 0)
        {
            return variables;
        }
        var names = job.SecretEnv.Values.Distinct(StringComparer.Ordinal).ToList();
        var found = await db.Set<Secret>().AsNoTracking().Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, ct);
        var missing = job.SecretEnv.Where(r => !found.TryGetValue(r.Value, out var s) || !s.AllowsTeam(job.Team)).Select(r => r.Value).ToList();
        if (missing.Count > 0)
        {
            throw new JobSecretsUnavailable(missing);
        }
        foreach (var (variable, secretName) in job.SecretEnv)
        {
            var secret = found[secretName];
            variables[variable] = keyring.Cipher.Open(secret.Name, secret.Version, secret.SealedValue);
        }
        return variables;
    }

    private static List<string>? Normalize(IReadOnlyList<string>? teams) =>
        teams is null or { Count: 0 } ? null : [.. teams.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static object Audited(Secret s) => new { s.Name, s.Version, Teams = s.Teams ?? (object)"all", s.KeyId };

    private static SecretView View(Secret s) => new(s.Name, s.Version, s.Teams, s.CreatedAt, s.UpdatedAt);
}

/// <summary>The job references secrets that were deleted or restricted after it was submitted.</summary>
public sealed class JobSecretsUnavailable(IReadOnlyList<string> secrets)
    : Exception($"The job's secrets {string.Join(", ", secrets.Select(s => $"'{s}'"))} are no longer available to its team.")
{
    public IReadOnlyList<string> Secrets { get; } = secrets;
}
