using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Broker.Core.Errors;
using Broker.Core.WhatIf;

namespace Broker.Api.Contracts;

/// <summary>A what-if run as GET /v1/what-if/{id} shows it; <see cref="Result"/> is set once it succeeded.</summary>
public sealed record WhatIfRunResponse(Guid Id, string Scope, string State, int Percent, string? Error, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, WhatIfRequest Request, WhatIfResult? Result, int Attempts);

public sealed record WhatIfChangeItem(string JobId, string Team, bool Changed, WhatIfPlacement Current, WhatIfPlacement Proposed,
    WhatIfPlacement? Actual);

public sealed record WhatIfChangeListResponse(IReadOnlyList<WhatIfChangeItem> Items, string? NextCursor);

public static class WhatIfMapping
{
    private const string CursorVersion = "w1:";

    public static WhatIfRunResponse ToResponse(this WhatIfRun r) => new(r.Id, r.Scope, r.State.ToString().ToLowerInvariant(), r.Percent,
        r.Error, r.CreatedAt, r.StartedAt, r.FinishedAt, WhatIfRequest.FromJson(r.Request),
        r.Result is null ? null : WhatIfJson.Read<WhatIfResult>(r.Result), r.Attempts);

    public static WhatIfChangeItem ToItem(this WhatIfChange c) => new(c.JobId, c.Team, c.Changed, WhatIfJson.Read<WhatIfPlacement>(c.Current),
        WhatIfJson.Read<WhatIfPlacement>(c.Proposed), c.Actual is null ? null : WhatIfJson.Read<WhatIfPlacement>(c.Actual));

    public static string EncodeCursor(int seq) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(CursorVersion + seq.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The page's position and size from <c>cursor</c> and <c>limit</c> (default 50, capped at 500); 400-style 422 on nonsense.</summary>
    public static (int AfterSeq, int Limit) Page(string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var after = 0;
        if (cursor is not null && !TryDecode(cursor, out after))
        {
            errors["cursor"] = ["The cursor is not one this API handed out."];
        }
        var size = 50;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size >= 1))
        {
            errors["limit"] = ["The limit is a whole number between 1 and 500 (larger ones are capped)."];
        }
        return errors.Count == 0 ? (after, Math.Min(size, 500)) : throw new RuleViolationException("Bad paging parameters.", errors);
    }

    private static bool TryDecode(string cursor, out int seq)
    {
        seq = 0;
        if (cursor.Length > 64)
        {
            return false;
        }
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(CursorVersion, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(CursorVersion.Length), NumberStyles.None, CultureInfo.InvariantCulture, out seq) && seq > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
