using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Policies;

/// <summary>
/// Versioned policies in PostgreSQL: every write appends a version (with its audit record, in one transaction) and the
/// highest version of a scope is current. Writes name the version they replace (optimistic concurrency, If-Match).
/// </summary>
public sealed class PolicyService(BrokerDbContext db, PlacementSettings settings, ComputeProviders clouds, AuditTrail audit,
    TimeProvider clock)
{
    public static bool IsScope(string scope) => scope == PolicyVersion.GlobalScope || TeamNames.IsValid(scope);

    public async Task<PolicyState> CurrentAsync(string scope, CancellationToken ct)
    {
        CheckScope(scope);
        var row = await db.PolicyVersions.AsNoTracking().Where(p => p.Scope == scope).OrderByDescending(p => p.Version)
            .FirstOrDefaultAsync(ct);
        return row is not null ? PolicyState.From(row) : Unwritten(scope);
    }

    public async Task<IReadOnlyList<PolicyState>> VersionsAsync(string scope, CancellationToken ct)
    {
        CheckScope(scope);
        var rows = await db.PolicyVersions.AsNoTracking().Where(p => p.Scope == scope).OrderByDescending(p => p.Version).ToListAsync(ct);
        return [.. rows.Select(PolicyState.From)];
    }

    /// <summary>Replaces the scope's policy with <paramref name="doc"/> if <paramref name="expectedVersion"/> is still current.</summary>
    public Task<PolicyState> PutAsync(string scope, int expectedVersion, PolicyDocument doc, AuditActor actor, CancellationToken ct) =>
        WriteAsync(scope, expectedVersion, doc, null, "policy.update", actor, ct);

    /// <summary>Restores the exact document of an earlier version as a new version.</summary>
    public async Task<PolicyState> RollbackAsync(string scope, int version, int? expectedVersion, AuditActor actor, CancellationToken ct)
    {
        CheckScope(scope);
        var earlier = await db.PolicyVersions.AsNoTracking().FirstOrDefaultAsync(p => p.Scope == scope && p.Version == version, ct)
            ?? throw new NotFoundException($"version of policy {scope}", version);
        var current = await CurrentAsync(scope, ct);
        return await WriteAsync(scope, expectedVersion ?? current.Version, PolicyJson.Read(earlier.Document), version, "policy.rollback",
            actor, ct);
    }

    /// <summary>The effective policy of each team (or of one), with where each value comes from.</summary>
    public async Task<IReadOnlyList<EffectivePolicy>> EffectiveAsync(string? onlyTeam, CancellationToken ct)
    {
        var (global, teams) = await LoadCurrentAsync(ct);
        var names = onlyTeam is not null ? [onlyTeam] : await KnownTeamsAsync(teams.Keys, ct);
        return [.. names.Select(t => EffectivePolicy.Resolve(t, teams.GetValueOrDefault(t), global, settings))];
    }

    /// <summary>What the next placement pass applies, with the on-prem rate the ledger has in effect now.</summary>
    public Task<EnginePolicies> ForEngineAsync(decimal onPremRatePerGpuHour, CancellationToken ct) =>
        ForEngineAsync(onPremRatePerGpuHour, null, ct);

    /// <summary>
    /// What the engine would apply with <paramref name="proposal"/> (a scope and its document) in place of that scope's
    /// current policy, every other scope unchanged; null for the current policies. Nothing is stored.
    /// </summary>
    public async Task<EnginePolicies> ForEngineAsync(decimal onPremRatePerGpuHour, (string Scope, PolicyDocument Document)? proposal,
        CancellationToken ct)
    {
        var (global, teams) = await LoadCurrentAsync(ct);
        if (proposal is { } p)
        {
            CheckScope(p.Scope);
            if (p.Scope == PolicyVersion.GlobalScope)
            {
                global = p.Document;
            }
            else
            {
                teams[p.Scope] = p.Document;
            }
        }
        var rate = onPremRatePerGpuHour;
        var globalPolicy = EffectivePolicy.Resolve("*", null, global, settings).ToBurstPolicy(rate);
        var perTeam = teams.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => EffectivePolicy.Resolve(t.Key, t.Value, global, settings).ToBurstPolicy(rate)).ToList();
        return new EnginePolicies(perTeam, globalPolicy, global.MaxCloudGpusGlobal);
    }

    private async Task<PolicyState> WriteAsync(string scope, int expectedVersion, PolicyDocument doc, int? restoredFrom, string action,
        AuditActor actor, CancellationToken ct)
    {
        CheckScope(scope);
        var current = await CurrentAsync(scope, ct);
        if (current.Version != expectedVersion)
        {
            throw new PreconditionFailedException(
                $"Policy {scope} is at version {current.Version}, not {expectedVersion}; read it again and retry with its ETag.");
        }
        await ValidateAsync(scope, doc, ct);
        var row = new PolicyVersion
        {
            Scope = scope, Version = current.Version + 1, Document = PolicyJson.Write(doc), CreatedAt = PostgresTime.Now(clock),
            CreatedByKey = actor.KeyId, RestoredFrom = restoredFrom,
        };
        db.PolicyVersions.Add(row);
        audit.Record(actor, action, $"policy:{scope}", current.Version == 0 ? null : PolicyJson.Write(current.Document), row.Document);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new PreconditionFailedException($"Policy {scope} changed while this write was made; read it again and retry.");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        return PolicyState.From(row);
    }

    /// <summary>Checks <paramref name="doc"/> as a write to <paramref name="scope"/> would (422 naming each field); stores nothing.</summary>
    public async Task ValidateAsync(string scope, PolicyDocument doc, CancellationToken ct)
    {
        CheckScope(scope);
        var (global, _) = await LoadCurrentAsync(ct);
        var effective = scope == PolicyVersion.GlobalScope
            ? EffectivePolicy.Resolve("*", null, doc, settings)
            : EffectivePolicy.Resolve(scope, doc, global, settings);
        var offers = await db.Offers.AsNoTracking().Where(o => o.Available && clouds.Names.Contains(o.Provider) && o.GpuCount > 0)
            .Select(o => new { o.Provider, o.Region, o.OnDemandPerHour, o.SpotPerHour, o.GpuCount }).ToListAsync(ct);
        new PolicyValidator([.. offers.Select(o => new PolicyOffer(o.Provider, o.Region, o.OnDemandPerHour / o.GpuCount,
            o.SpotPerHour / o.GpuCount))]).Validate(scope, doc, effective);
    }

    private async Task<(PolicyDocument Global, Dictionary<string, PolicyDocument> Teams)> LoadCurrentAsync(CancellationToken ct)
    {
        var rows = await db.PolicyVersions.AsNoTracking()
            .Where(p => p.Version == db.PolicyVersions.Where(q => q.Scope == p.Scope).Max(q => q.Version)).ToListAsync(ct);
        var global = rows.FirstOrDefault(r => r.Scope == PolicyVersion.GlobalScope) is { } g
            ? PolicyJson.Read(g.Document) : EffectivePolicy.Seed(settings);
        var teams = rows.Where(r => r.Scope != PolicyVersion.GlobalScope)
            .ToDictionary(r => r.Scope, r => PolicyJson.Read(r.Document), StringComparer.Ordinal);
        return (global, teams);
    }

    /// <summary>Teams Broker knows: those with a submitter key, a job or an override.</summary>
    private async Task<List<string>> KnownTeamsAsync(IEnumerable<string> withOverride, CancellationToken ct)
    {
        var keyTeams = await db.ApiKeys.AsNoTracking().Where(k => k.Team != null).Select(k => k.Team!).Distinct().ToListAsync(ct);
        var jobTeams = await db.Jobs.AsNoTracking().Select(j => j.Team).Distinct().ToListAsync(ct);
        return [.. keyTeams.Concat(jobTeams).Concat(withOverride).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private PolicyState Unwritten(string scope) => new(scope, 0,
        scope == PolicyVersion.GlobalScope ? EffectivePolicy.Seed(settings) : PolicyDocument.Empty, null, null, null);

    private static void CheckScope(string scope)
    {
        if (!IsScope(scope))
        {
            throw new NotFoundException("policy scope", scope.Length <= 64 ? scope : scope[..64]);
        }
    }

}
