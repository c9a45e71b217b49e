namespace Broker.Core.Audit;

/// <summary>One change ops, admins or Broker's own API made, written in the transaction of the change. Never updated or deleted.</summary>
public sealed class AuditRecord
{
    public Guid Id { get; set; }

    /// <summary>Order of writing (identity), for keyset paging.</summary>
    public long Seq { get; set; }

    public DateTimeOffset At { get; set; }

    public Guid? ActorKeyId { get; set; }

    public required string ActorRole { get; set; }

    /// <summary>What was done, e.g. <c>policy.update</c>, <c>bursting.stop</c>, <c>api-key.revoke</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to, e.g. the policy scope, the provider, the key id.</summary>
    public required string Target { get; set; }

    public string? Before { get; set; }

    public string? After { get; set; }

    public string? CorrelationId { get; set; }
}

/// <summary>Who asks for a change, and the request's correlation id (its trace id).</summary>
public sealed record AuditActor(Guid? KeyId, string Role, string? CorrelationId)
{
    public static AuditActor System { get; } = new(null, "system", null);
}
