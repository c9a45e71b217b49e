using System.Text.Json;
using Broker.Core.Persistence;

namespace Broker.Core.Audit;

/// <summary>
/// Adds audit records to the caller's unit of work: they are saved by the same <c>SaveChanges</c> (one transaction) as
/// the change they describe, so if the record cannot be written the change is not either. Callers pass before/after
/// views that hold no secret.
/// </summary>
public sealed class AuditTrail(BrokerDbContext db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Record(AuditActor actor, string action, string target, object? before, object? after) =>
        db.AuditRecords.Add(new AuditRecord
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            At = PostgresTime.Now(clock),
            ActorKeyId = actor.KeyId,
            ActorRole = actor.Role,
            Action = action,
            Target = target,
            Before = ToJson(before),
            After = ToJson(after),
            CorrelationId = actor.CorrelationId,
        });

    private static string? ToJson(object? value) => value switch
    {
        null => null,
        string text => text,
        _ => JsonSerializer.Serialize(value, value.GetType(), Json),
    };
}
