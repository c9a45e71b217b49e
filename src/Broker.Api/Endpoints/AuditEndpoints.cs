using System.Globalization;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/audit", List).WithName("listAuditRecords").WithTags("Audit").RequireAuthorization(Policies.Operate)
            .WithSummary("Audit records, newest first: from, to, actor (key id), action, cursor, limit").ProducesValidationProblem();
        return app;
    }

    public static async Task<Results<Ok<AuditPageResponse>, ValidationProblem>> List(string? from, string? to, string? actor,
        string? action, string? cursor, string? limit, AuditQuery audit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fromTime = QueryTimes.Parse(from, "from", errors);
        var toTime = QueryTimes.Parse(to, "to", errors);
        Guid? actorId = null;
        if (actor is not null)
        {
            actorId = Guid.TryParse(actor, out var id) ? id : null;
            if (actorId is null)
            {
                errors["actor"] = ["actor is the id of an API key (a UUID)."];
            }
        }
        if (action is not null && (action.Length > 64 || !action.All(c => char.IsAsciiLetterLower(c) || c is '.' or '-')))
        {
            errors["action"] = ["action is a name such as policy.update or bursting.stop."];
        }
        if (fromTime is { } start && toTime is { } end && end < start)
        {
            errors["to"] = ["to is before from."];
        }
        long? before = null;
        if (cursor is not null)
        {
            before = AuditMapping.TryReadCursor(cursor, out var seq) ? seq : null;
            if (before is null)
            {
                errors["cursor"] = ["The cursor is not one this API returned."];
            }
        }
        var size = JobsEndpoints.DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size >= 1))
        {
            errors["limit"] = [$"The limit is a whole number between 1 and {JobsEndpoints.MaxLimit} (larger ones are capped)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (items, more) = await audit.PageAsync(new AuditFilter(fromTime, toTime, actorId, action, before,
            Math.Min(size, JobsEndpoints.MaxLimit)), ct);
        return TypedResults.Ok(new AuditPageResponse([.. items.Select(a => a.ToResponse())],
            more ? AuditMapping.Cursor(items[^1].Seq) : null));
    }
}
