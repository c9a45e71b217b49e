using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Broker.Core.Provisioning;

/// <summary>
/// One event an instance (or an on-prem job script, or the simulated cloud) reports about its allocation. <see cref="Seq"/>
/// orders the events of one allocation: a seq at or below the highest accepted one is a replay or out of order.
/// <see cref="At"/> is when the thing happened by the sender's clock (microseconds, UTC), if it said; Broker clamps it
/// into the allocation's window before using it (<see cref="EventTimes"/>).
/// </summary>
/// <param name="Reason">For <c>finished</c> only: why the job failed, as its script saw it (an image missing from the site
/// image store); shown with the failure in the job's timeline.</param>
/// <param name="Member">For <c>interruption-notice</c> from a cloud gang's member only: its position (the boot script's
/// <c>BROKER_GANG_MEMBER</c>), so Broker records which member the provider reclaimed (<see cref="Allocation.ReclaimedMembers"/>).</param>
public sealed record InstanceEvent(Guid AllocationId, InstanceEventKind Kind, int Seq, int? ExitCode, string? Reason = null,
    DateTimeOffset? At = null, int? Member = null)
{
    /// <summary>The longest reason a script may report.</summary>
    public const int MaxReasonLength = 300;

    /// <summary>The fixed sequence numbers the boot script uses, so a retried post of the same event is an exact duplicate.</summary>
    public static int SeqOf(InstanceEventKind kind) => kind switch
    {
        InstanceEventKind.Started => 1,
        InstanceEventKind.InterruptionNotice => 2,
        _ => 3,
    };

    /// <summary>The body as Broker would write it: fixed field order, no spaces, so equal content has equal bytes.</summary>
    public string CanonicalBody => (ExitCode is { } code
        ? string.Create(CultureInfo.InvariantCulture, $"{{\"kind\":\"{InstanceEventKinds.ToWire(Kind)}\",\"seq\":{Seq},\"exitCode\":{code}")
        : string.Create(CultureInfo.InvariantCulture, $"{{\"kind\":\"{InstanceEventKinds.ToWire(Kind)}\",\"seq\":{Seq}"))
        // Without "reason", "member" and "at" the body is byte-identical to what was hashed before they existed, so old rows still match.
        + (Reason is null ? "" : ",\"reason\":" + JsonSerializer.Serialize(Reason))
        + (Member is { } member ? string.Create(CultureInfo.InvariantCulture, $",\"member\":{member}") : "")
        + (At is { } at ? ",\"at\":\"" + EventTimes.ToWire(at) + "\"}" : "}");

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalBody"/>: what a replay must match to count as the same event.</summary>
    public string BodyHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalBody)));
}

/// <summary>The names event kinds have on the wire, in tokens and in the boot script.</summary>
public static class InstanceEventKinds
{
    public static string ToWire(InstanceEventKind kind) => kind switch
    {
        InstanceEventKind.Started => "started",
        InstanceEventKind.Finished => "finished",
        InstanceEventKind.InterruptionNotice => "interruption-notice",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static InstanceEventKind? FromWire(string? value) => value switch
    {
        "started" => InstanceEventKind.Started,
        "finished" => InstanceEventKind.Finished,
        "interruption-notice" => InstanceEventKind.InterruptionNotice,
        _ => null,
    };

    public static string ToWire(CallbackPurpose purpose) => purpose == CallbackPurpose.CloudInstance ? "cloud-instance" : "onprem-script";

    public static readonly IReadOnlyList<InstanceEventKind> All =
        [InstanceEventKind.Started, InstanceEventKind.InterruptionNotice, InstanceEventKind.Finished];
}
