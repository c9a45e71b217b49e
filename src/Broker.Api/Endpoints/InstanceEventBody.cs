using System.Text.Json;
using Broker.Core.Provisioning;

namespace Broker.Api.Endpoints;

/// <summary>
/// Reads a callback body strictly: one JSON object with exactly <c>kind</c>, <c>seq</c> (an integer >= 1) and, for
/// <c>finished</c> only, <c>exitCode</c> (an integer 0..255) and an optional <c>reason</c> (why it failed, up to
/// <see cref="InstanceEvent.MaxReasonLength"/> printable characters), and optionally <c>at</c>, when it happened (RFC 3339
/// with an explicit offset, up to nanoseconds; clamped into the allocation's window by <see cref="EventTimes"/>), and for
/// <c>interruption-notice</c> only an optional <c>member</c> (a cloud gang member's position, 0 to
/// <see cref="MaxMember"/>: which member the provider is reclaiming). Numbers
/// sent as strings, duplicate or unknown fields and
/// anything else are refused with the field named, so what is recorded is exactly what was meant.
/// </summary>
public static class InstanceEventBody
{
    public sealed record Parsed(InstanceEvent? Event, Dictionary<string, string[]> Errors);

    /// <summary>The highest member position a body may name (a gang has at most 16 members; checked against the gang itself later).</summary>
    public const int MaxMember = 63;

    public static async Task<Parsed> ReadAsync(Guid allocationId, HttpRequest request, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 4 }, ct);
        }
        catch (JsonException)
        {
            return Error("$", "The body is not valid JSON.");
        }
        using (document)
        {
            return Read(allocationId, document.RootElement);
        }
    }

    private static Parsed Read(Guid allocationId, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Error("$", "The body must be a JSON object {\"kind\", \"seq\", \"exitCode\" (finished only)}.");
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("kind" or "seq" or "exitCode" or "reason" or "at" or "member"))
            {
                return Error(Printable(property.Name), "Not a field of an instance event; the fields are kind, seq, exitCode, reason, at and member.");
            }
            if (!fields.TryAdd(property.Name, property.Value))
            {
                return Error(property.Name, "The field appears more than once.");
            }
        }
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var kind = fields.TryGetValue("kind", out var k) && k.ValueKind == JsonValueKind.String ? InstanceEventKinds.FromWire(k.GetString()) : null;
        if (kind is null)
        {
            errors["kind"] = ["kind is required: started, finished or interruption-notice."];
        }
        int seq = 0;
        if (!fields.TryGetValue("seq", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out seq) || seq < 1)
        {
            errors["seq"] = ["seq is required: an integer >= 1, greater than every seq sent before for this allocation."];
        }
        int? exitCode = null;
        if (fields.TryGetValue("exitCode", out var x))
        {
            if (kind is not null && kind != InstanceEventKind.Finished)
            {
                errors["exitCode"] = ["exitCode belongs to finished events only."];
            }
            else if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var code) || code is < 0 or > 255)
            {
                errors["exitCode"] = ["exitCode is an integer from 0 to 255."];
            }
            else
            {
                exitCode = code;
            }
        }
        else if (kind == InstanceEventKind.Finished)
        {
            errors["exitCode"] = ["finished needs exitCode, an integer from 0 to 255."];
        }
        var reason = ReadReason(fields, kind, errors);
        DateTimeOffset? at = null;
        if (fields.TryGetValue("at", out var t)
            && (t.ValueKind != JsonValueKind.String || (at = EventTimes.Parse(t.GetString())) is null))
        {
            errors["at"] = ["at is when the event happened: an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05.123456789Z."];
        }
        var member = ReadMember(fields, kind, errors);
        return errors.Count > 0 ? new(null, errors)
            : new(new InstanceEvent(allocationId, kind!.Value, seq, exitCode, Reason: reason, At: at, Member: member), errors);
    }

    private static int? ReadMember(Dictionary<string, JsonElement> fields, InstanceEventKind? kind, Dictionary<string, string[]> errors)
    {
        if (!fields.TryGetValue("member", out var m))
        {
            return null;
        }
        if (kind is not null && kind != InstanceEventKind.InterruptionNotice)
        {
            errors["member"] = ["member belongs to interruption-notice events only."];
            return null;
        }
        if (m.ValueKind != JsonValueKind.Number || !m.TryGetInt32(out var member) || member is < 0 or > MaxMember)
        {
            errors["member"] = [$"member is the gang member's position, an integer from 0 to {MaxMember}."];
            return null;
        }
        return member;
    }

    private static string? ReadReason(Dictionary<string, JsonElement> fields, InstanceEventKind? kind, Dictionary<string, string[]> errors)
    {
        if (!fields.TryGetValue("reason", out var r))
        {
            return null;
        }
        var text = r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (kind is not null && kind != InstanceEventKind.Finished)
        {
            errors["reason"] = ["reason belongs to finished events only."];
        }
        else if (text is not { Length: > 0 and <= InstanceEvent.MaxReasonLength } || text.Any(char.IsControl) || text.Trim().Length == 0)
        {
            errors["reason"] = [$"reason is text of 1 to {InstanceEvent.MaxReasonLength} characters without control characters."];
        }
        return text;
    }

    private static Parsed Error(string field, string message) => new(null, new(StringComparer.Ordinal) { [field] = [message] });

    // A hostile field name goes back in the problem document: keep it short and free of control characters.
    private static string Printable(string name)
    {
        var cleaned = new string(name.Where(c => !char.IsControl(c)).Take(64).ToArray());
        return cleaned.Length == 0 ? "$" : cleaned;
    }
}
