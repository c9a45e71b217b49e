using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Policies;

/// <summary>
/// The kill switch and per-provider drains: each is a row in <c>cloud_stops</c> while it holds, changed with its audit
/// record in one transaction. The next placement pass launches nothing it stops, and provisioning checks it again right
/// before it would create an instance. Running instances are left alone.
/// </summary>
public sealed class CloudStops(BrokerDbContext db, ComputeProviders clouds, AuditTrail audit, TimeProvider clock)
{
    public sealed record StopView(string Scope, string Reason, DateTimeOffset Since, Guid? ByKey);

    public async Task<IReadOnlyList<StopView>> ListAsync(CancellationToken ct) =>
        [.. (await db.CloudStops.AsNoTracking().OrderBy(s => s.Scope).ToListAsync(ct)).Select(View)];

    /// <summary>Stops every new cloud launch (<paramref name="provider"/> null) or those of one provider. Idempotent.</summary>
    public Task<StopView?> StopAsync(string? provider, string? reason, AuditActor actor, CancellationToken ct) =>
        ChangeAsync(Scope(provider), stop: true, reason, actor, ct);

    /// <summary>Lifts the stop; returns null (no stop holds any more). Idempotent.</summary>
    public Task<StopView?> ResumeAsync(string? provider, AuditActor actor, CancellationToken ct) =>
        ChangeAsync(Scope(provider), stop: false, null, actor, ct);

    /// <summary>Why a new launch on <paramref name="provider"/> must not happen now, or null.</summary>
    public static async Task<string?> WhyStoppedAsync(BrokerDbContext db, string provider, CancellationToken ct)
    {
        var stops = await db.CloudStops.AsNoTracking().Where(s => s.Scope == CloudStop.AllScope || s.Scope == provider).ToListAsync(ct);
        return stops.FirstOrDefault(s => s.Scope == CloudStop.AllScope) is { } all ? $"bursting stopped by ops: {all.Reason}"
            : stops.FirstOrDefault() is { } drain ? $"provider {provider} is drained by ops: {drain.Reason}" : null;
    }

    /// <summary>Makes the change when it is one (a repeated stop or resume changes and audits nothing); returns the stop now in place.</summary>
    private async Task<StopView?> ChangeAsync(string scope, bool stop, string? reason, AuditActor actor, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var row = await db.CloudStops.FirstOrDefaultAsync(s => s.Scope == scope, ct);
        var what = scope == CloudStop.AllScope ? "bursting" : "provider";
        var target = scope == CloudStop.AllScope ? "bursting" : $"provider:{scope}";
        if (stop && row is null)
        {
            row = new CloudStop { Scope = scope, Reason = reason ?? "no reason given", Since = PostgresTime.Now(clock), ByKey = actor.KeyId };
            db.CloudStops.Add(row);
            audit.Record(actor, what == "bursting" ? "bursting.stop" : "provider.drain", target, null, View(row));
            await db.SaveChangesAsync(ct);
        }
        else if (!stop && row is not null)
        {
            db.CloudStops.Remove(row);
            audit.Record(actor, what == "bursting" ? "bursting.resume" : "provider.undrain", target, View(row), null);
            await db.SaveChangesAsync(ct);
            row = null;
        }
        db.ChangeTracker.Clear();
        return row is null ? null : View(row);
    }

    private string Scope(string? provider)
    {
        if (provider is null)
        {
            return CloudStop.AllScope;
        }
        return clouds.Names.Contains(provider, StringComparer.Ordinal) ? provider
            : throw new NotFoundException("provider", provider.Length <= 64 ? provider : provider[..64]);
    }

    private static StopView View(CloudStop s) => new(s.Scope, s.Reason, s.Since, s.ByKey);
}
