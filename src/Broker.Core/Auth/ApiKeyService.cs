using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Auth;

public sealed class ApiKeyService(BrokerDbContext db, TimeProvider clock)
{
    public sealed record CreatedKey(ApiKey Key, string Secret);

    public async Task<CreatedKey> CreateAsync(string name, ApiKeyRole role, string? team, CancellationToken ct) =>
        await CreateWithSecretAsync(name, role, team, ApiKeySecret.New(), ct);

    /// <summary>Stores a key whose secret was chosen elsewhere (the configured bootstrap admin key). Idempotent by hash.</summary>
    public async Task<CreatedKey> CreateWithSecretAsync(string name, ApiKeyRole role, string? team, string secret, CancellationToken ct)
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
        await db.SaveChangesAsync(ct);
        return new CreatedKey(key, secret);
    }

    public Task<List<ApiKey>> ListAsync(CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(ct);

    /// <summary>Revoking is idempotent: a revoked key stays revoked with its first revocation time.</summary>
    public async Task RevokeAsync(Guid id, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotFoundException("api key", id);
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>The live key with this secret, or null.</summary>
    public Task<ApiKey?> AuthenticateAsync(string secret, CancellationToken ct)
    {
        var hash = ApiKeySecret.Hash(secret);
        return db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
    }
}
