using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Persistence.Configurations;
using Broker.Core.Policies;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.WhatIf;

/// <summary>
/// Starts and reads policy what-ifs. Starting validates the proposal exactly as a policy write would, then either finds the
/// queued or running run of an identical request (the unique partial index decides, not memory) or inserts a new one with
/// its audit record in the same transaction. The run is computed by <see cref="WhatIfExecutor"/> in the background.
/// </summary>
public sealed class WhatIfService(BrokerDbContext db, PolicyService policies, WhatIfTraces traces, WhatIfSettings settings,
    AuditTrail audit, TimeProvider clock)
{
    public const string AuditAction = "policy.what-if";

    /// <summary>The run for this request and whether it was created now (false: an identical one is already queued or running).</summary>
    public async Task<(WhatIfRun Run, bool Created)> StartAsync(string scope, WhatIfRequest request, AuditActor actor, CancellationToken ct)
    {
        if (!PolicyService.IsScope(scope))
        {
            throw new NotFoundException("policy scope", scope.Length <= 64 ? scope : scope[..64]);
        }
        var normalised = Validate(request).Normalised();
        await ValidatePolicyAsync(scope, normalised.Policy!, ct);
        var hash = normalised.Hash(scope);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await ActiveAsync(scope, hash, ct) is { } running)
            {
                return (running, false);
            }
            var now = PostgresTime.Now(clock);
            var run = new WhatIfRun
            {
                Id = Guid.CreateVersion7(now), Scope = scope, RequestHash = hash, Request = normalised.ToJson(), State = WhatIfState.Queued,
                ActorKeyId = actor.KeyId, ActorRole = actor.Role, CreatedAt = now,
            };
            db.WhatIfRuns.Add(run);
            audit.Record(actor, AuditAction, $"policy:{scope}", null, new { whatIf = run.Id, request = normalised });
            try
            {
                await db.SaveChangesAsync(ct);
                return (run, true);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException
                { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: WhatIfRunConfiguration.ActiveRequestIndex })
            {
                // An identical request won the race; return that one (or start again if it finished meanwhile).
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        throw new ConflictException("An identical what-if kept starting and finishing; try again.");
    }

    public async Task<WhatIfRun> GetAsync(Guid id, CancellationToken ct) =>
        await db.WhatIfRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("what-if", id);

    /// <summary>One page of a finished run's jobs (only those whose placement changes unless <paramref name="all"/>), after <paramref name="afterSeq"/>.</summary>
    public async Task<(IReadOnlyList<WhatIfChange> Items, int? NextSeq)> ChangesAsync(Guid id, bool all, int afterSeq, int limit,
        CancellationToken ct)
    {
        await GetAsync(id, ct);
        var page = await db.WhatIfChanges.AsNoTracking().Where(c => c.RunId == id && c.Seq > afterSeq && (all || c.Changed))
            .OrderBy(c => c.Seq).Take(limit + 1).ToListAsync(ct);
        return page.Count > limit ? (page[..limit], page[limit - 1].Seq) : (page, null);
    }

    private Task<WhatIfRun?> ActiveAsync(string scope, string hash, CancellationToken ct) =>
        db.WhatIfRuns.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Scope == scope && r.RequestHash == hash && (r.State == WhatIfState.Queued || r.State == WhatIfState.Running), ct);

    private WhatIfRequest Validate(WhatIfRequest r)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (r.Policy is null)
        {
            errors["policy"] = ["name the proposed policy document (as for PUT /v1/policies/{scope}); {} proposes no change"];
        }
        if (r.Trace is { } trace)
        {
            if (r.From is not null || r.To is not null)
            {
                errors["trace"] = ["name either a stored trace or a window (from, to), not both"];
            }
            else if (!traces.Exists(trace))
            {
                var known = traces.Names;
                errors["trace"] = [$"'{(trace.Length <= 64 ? trace : trace[..64])}' is not a stored trace (known: {(known.Count == 0 ? "none" : string.Join(", ", known))})"];
            }
        }
        else
        {
            CheckWindow(r.From, r.To, errors);
        }
        return errors.Count == 0 ? r
            : throw new RuleViolationException($"The what-if request breaks {errors.Count} rule(s): "
                + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")), errors);
    }

    private void CheckWindow(DateTimeOffset? from, DateTimeOffset? to, Dictionary<string, string[]> errors)
    {
        if (from is null)
        {
            errors["from"] = ["the window's start is required (or name a stored trace)"];
        }
        if (to is null)
        {
            errors["to"] = ["the window's end is required (or name a stored trace)"];
        }
        if (from is not { } f || to is not { } t)
        {
            return;
        }
        if (t <= f)
        {
            errors["to"] = ["must be after from"];
        }
        else if (t - f > settings.MaxWindow)
        {
            errors["to"] = [$"the window is at most {settings.MaxWindow.TotalDays:0.#} days"];
        }
        if (f > clock.GetUtcNow())
        {
            errors["from"] = ["must not be in the future: a what-if replays history"];
        }
    }

    /// <summary>The proposal is checked exactly as PUT checks it; its fields are named under <c>policy.</c> in this body.</summary>
    private async Task ValidatePolicyAsync(string scope, PolicyDocument doc, CancellationToken ct)
    {
        try
        {
            await policies.ValidateAsync(scope, doc, ct);
        }
        catch (RuleViolationException e)
        {
            throw new RuleViolationException(e.Message, e.Errors.ToDictionary(x => "policy." + x.Key, x => x.Value, StringComparer.Ordinal));
        }
    }
}
