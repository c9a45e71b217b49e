using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Audit;

/// <summary>Filters of <c>GET /v1/audit</c>; <see cref="BeforeSeq"/> is the keyset cursor (newest first).</summary>
public sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, Guid? Actor, string? Action, long? BeforeSeq, int Limit);

public sealed class AuditQuery(BrokerDbContext db)
{
    /// <summary>One page, newest first, and whether more follow.</summary>
    public async Task<(IReadOnlyList<AuditRecord> Items, bool More)> PageAsync(AuditFilter f, CancellationToken ct)
    {
        var q = db.AuditRecords.AsNoTracking();
        if (f.From is { } from)
        {
            q = q.Where(a => a.At >= from);
        }
        if (f.To is { } to)
        {
            q = q.Where(a => a.At < to);
        }
        if (f.Actor is { } actor)
        {
            q = q.Where(a => a.ActorKeyId == actor);
        }
        if (f.Action is { } action)
        {
            q = q.Where(a => a.Action == action);
        }
        if (f.BeforeSeq is { } before)
        {
            q = q.Where(a => a.Seq < before);
        }
        var rows = await q.OrderByDescending(a => a.Seq).Take(f.Limit + 1).ToListAsync(ct);
        return (rows.Take(f.Limit).ToList(), rows.Count > f.Limit);
    }
}
