using System.Globalization;
using System.Security.Claims;
using Broker.Api.Auth;
using Broker.Api.Endpoints;
using Broker.Core.Jobs;

namespace Broker.Api.Contracts;

/// <summary>Query string of <c>GET /v1/jobs</c>. Strings are parsed here so every mistake gets a field-level message.</summary>
public sealed record JobListQuery(string? State, string? Team, string? Label, string? SubmittedFrom, string? SubmittedTo,
    string? Cursor, string? Limit)
{
    public (JobFilter? Filter, Dictionary<string, string[]> Errors) ToFilter(ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        var states = new List<JobState>();
        foreach (var word in (State ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<JobState>(word, ignoreCase: true, out var state) && !int.TryParse(word, out _))
            {
                states.Add(state);
            }
            else
            {
                errors["state"] = [$"Unknown state '{word}'. States: {string.Join(", ", Enum.GetValues<JobState>().Select(JsonNaming.Wire))}."];
            }
        }
        var scope = user.TeamScope();
        if (scope is not null && Team is not null && Team != scope)
        {
            errors["team"] = ["Submitter keys see only their own team's jobs; omit 'team'."];
        }
        KeyValuePair<string, string>? label = null;
        if (Label is not null)
        {
            var parts = Label.Split('=', 2);
            if (parts.Length == 2 && parts[0].Length > 0)
            {
                label = new(parts[0], parts[1]);
            }
            else
            {
                errors["label"] = ["Use label=key=value."];
            }
        }
        long? after = null;
        if (Cursor is not null)
        {
            if (JobCursor.TryDecode(Cursor, out var seq))
            {
                after = seq;
            }
            else
            {
                errors["cursor"] = ["The cursor is not one this API handed out."];
            }
        }
        var limit = JobsEndpoints.DefaultLimit;
        if (Limit is not null && !(int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1))
        {
            errors["limit"] = [$"The limit is a whole number between 1 and {JobsEndpoints.MaxLimit} (larger ones are capped)."];
        }
        var submittedFrom = QueryTimes.Parse(SubmittedFrom, "submittedFrom", errors);
        var submittedTo = QueryTimes.Parse(SubmittedTo, "submittedTo", errors);
        if (submittedFrom is { } from && submittedTo is { } to && to < from)
        {
            errors["submittedTo"] = ["submittedTo is before submittedFrom."];
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var filter = new JobFilter(scope ?? Team, states, label, submittedFrom, submittedTo, after, Math.Min(limit, JobsEndpoints.MaxLimit));
        return (filter, errors);
    }
}
