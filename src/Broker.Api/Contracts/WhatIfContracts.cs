using System.Globalization;
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

    public static string EncodeCursor(int seq) => KeysetCursor.Encode(CursorVersion, seq);

    /// <summary>The page's position and size from <c>cursor</c> and <c>limit</c> (default 50, capped at 500); 422 on nonsense.</summary>
    public static (int AfterSeq, int Limit) Page(string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        long after = 0;
        if (cursor is not null && !(KeysetCursor.TryDecode(CursorVersion, cursor, out after) && after <= int.MaxValue))
        {
            errors["cursor"] = ["The cursor is not one this API handed out."];
        }
        var size = 50;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size >= 1))
        {
            errors["limit"] = ["The limit is a whole number between 1 and 500 (larger ones are capped)."];
        }
        return errors.Count == 0 ? ((int)after, Math.Min(size, 500)) : throw new RuleViolationException("Bad paging parameters.", errors);
    }
}
