using System.Text.Json;
using Broker.Core.Audit;

namespace Broker.Api.Contracts;

public sealed record AuditRecordResponse(Guid Id, DateTimeOffset At, Guid? ActorKeyId, string ActorRole, string Action, string Target,
    JsonElement? Before, JsonElement? After, string? CorrelationId);

public sealed record AuditPageResponse(IReadOnlyList<AuditRecordResponse> Items, string? NextCursor);

public static class AuditMapping
{
    private const string CursorVersion = "a1:";

    public static AuditRecordResponse ToResponse(this AuditRecord a) => new(a.Id, a.At, a.ActorKeyId, a.ActorRole, a.Action, a.Target,
        Parse(a.Before), Parse(a.After), a.CorrelationId);

    public static string Cursor(long seq) => KeysetCursor.Encode(CursorVersion, seq);

    public static bool TryReadCursor(string cursor, out long seq) => KeysetCursor.TryDecode(CursorVersion, cursor, out seq);

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
