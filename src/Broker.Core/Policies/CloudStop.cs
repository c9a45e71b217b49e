namespace Broker.Core.Policies;

/// <summary>
/// An ops stop on new cloud launches: <see cref="AllScope"/> is the kill switch, any other scope is a drained provider.
/// The row exists while the stop holds; resuming deletes it (the audit trail keeps the history).
/// </summary>
public sealed class CloudStop
{
    public const string AllScope = "*";

    public required string Scope { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset Since { get; set; }

    public Guid? ByKey { get; set; }
}
