using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Auth;

public sealed class ApiKeyService(BrokerDbContext db, TimeProvider clock, AuditTrail audit, ApiKeyCache cache)
{
    public sealed record CreatedKey(ApiKey Key, string Secret);

    public async Task<CreatedKey> CreateAsync(string name, ApiKeyRole role, string? team, CancellationToken ct, AuditActor? actor = null) =>
        await CreateWithSecretAsync(name, role, team, ApiKeySecret.New(), ct, actor);

    /// <summary>Stores a key whose secret was chosen elsewhere (the configured bootstrap admin key). Idempotent by hash.</summary>
    public async Task<CreatedKey> CreateWithSecretAsync(string name, ApiKeyRole role, string? team, string secret, CancellationToken ct,
        AuditActor? actor = null)
    {
        if (role == ApiKeyRole.Submitter && string.IsNullOrWhiteSpace(team))
        {
            throw RuleViolationException.For("team", "A submitter key must be bound to a team.");
        }
        if (role != ApiKeyRole.Submitter && team is not null)
        {
            throw RuleViolationException.For("team", "Only submitter keys are bound to a team.");
        }
        var hash = ApiKeySecret.Hash(secret);
        if (await db.ApiKeys.FirstOrDefaultAsync(k => k.Hash == hash, ct) is { } existing)
        {
            return new CreatedKey(existing, secret);
        }
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Role = role,
            Team = team,
            Prefix = ApiKeySecret.PrefixOf(secret),
            Hash = hash,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiKeys.Add(key);
        audit.Record(actor ?? AuditActor.System, "api-key.create", $"api-key:{key.Id}", null, View(key));
        await db.SaveChangesAsync(ct);
        return new CreatedKey(key, secret);
    }

    public Task<List<ApiKey>> ListAsync(CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(ct);

    /// <summary>Revoking is idempotent: a revoked key stays revoked with its first revocation time.</summary>
    public async Task RevokeAsync(Guid id, CancellationToken ct, AuditActor? actor = null)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotFoundException("api key", id);
        if (key.RevokedAt is null)
        {
            var before = View(key);
            key.RevokedAt = clock.GetUtcNow();
            audit.Record(actor ?? AuditActor.System, "api-key.revoke", $"api-key:{key.Id}", before, View(key));
            await db.SaveChangesAsync(ct);
        }
        cache.Evict(key.Hash);
    }

    /// <summary>The live key with this secret, or null; a live key may come from this process's <see cref="ApiKeyCache"/>.</summary>
    public async Task<AuthenticatedKey?> AuthenticateAsync(string secret, CancellationToken ct)
    {
        var hash = ApiKeySecret.Hash(secret);
        if (cache.Find(hash) is { } cached)
        {
            return cached;
        }
        var generation = cache.Generation;
        var readAt = clock.GetUtcNow();
        var key = await db.ApiKeys.AsNoTracking().Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new AuthenticatedKey(k.Id, k.Name, k.Role, k.Team)).FirstOrDefaultAsync(ct);
        if (key is not null)
        {
            cache.Add(hash, key, generation, readAt);
        }
        return key;
    }

    /// <summary>What the audit trail keeps of a key: never its secret or its hash.</summary>
    private static object View(ApiKey k) => new { k.Id, k.Name, Role = k.Role.ToString().ToLowerInvariant(), k.Team, k.Prefix, k.RevokedAt };
}
