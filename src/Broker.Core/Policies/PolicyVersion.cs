namespace Broker.Core.Policies;

/// <summary>One version of the policy of a scope (<c>global</c> or a team). Rows are only ever added; the highest is current.</summary>
public sealed class PolicyVersion
{
    public const string GlobalScope = "global";

    public long Id { get; set; }

    public required string Scope { get; set; }

    public int Version { get; set; }

    /// <summary>The document exactly as stored (JSON), so a rollback restores it byte for byte.</summary>
    public required string Document { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Guid? CreatedByKey { get; set; }

    /// <summary>Set when this version restores an earlier one.</summary>
    public int? RestoredFrom { get; set; }
}
