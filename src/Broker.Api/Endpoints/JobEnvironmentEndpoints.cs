using System.Text;
using Broker.Api.Auth;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Endpoints;

/// <summary>
/// Where a job's own script fetches the job's variables just before the run section (ADR 0015): the plain <c>env</c> and
/// the current value of each <c>secretEnv</c> secret. Authenticated by any of the allocation's callback tokens of the
/// allocation's own purpose (a cloud instance's tokens are refused on-prem and the other way round), answered only while
/// the allocation is live, rate-limited with the allocation's callbacks. The answer is <c>text/plain</c>, one line per
/// variable, <c>NAME BASE64(value)</c>, with <c>Cache-Control: no-store</c>; it is never logged, and only the count and
/// names of what was handed out are.
/// </summary>
public static class JobEnvironmentEndpoints
{
    public const string Route = "/v1/instances/{allocationId:guid}/environment";

    public static IEndpointRouteBuilder MapJobEnvironment(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, Fetch).WithName("fetchInstanceJobEnvironment").AllowAnonymous().WithMetadata(new WithoutApiKey()).WithTags("Instances")
            .WithSummary("The job's script fetches the job's variables (plain env and secret values) with its callback token")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<IResult> Fetch(Guid allocationId, HttpContext context, CallbackTokens tokens, BrokerDbContext db,
        SecretService secrets, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var request = context.Request;
        var check = tokens.Check(allocationId, CallbackBearer.From(request), clock.GetUtcNow());
        if (!check.IsValid)
        {
            return Unauthorized(context, CallbackBearer.Code(check.Verdict), check.Reason);
        }
        var allocation = await db.Allocations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, ct);
        if (allocation is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown allocation", detail: $"No allocation {allocationId}.");
        }
        var purpose = allocation.IsOnPrem ? CallbackPurpose.OnPremScript : CallbackPurpose.CloudInstance;
        if (check.Purpose != purpose)
        {
            return Unauthorized(context, "wrong-purpose", $"This allocation's variables go to its {InstanceEventKinds.ToWire(purpose)} only.");
        }
        if (allocation.State is not (AllocationState.Requested or AllocationState.Provisioning or AllocationState.Running))
        {
            return Refused("not-live", "The allocation is no longer live; its job's variables are not handed out.");
        }
        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == allocation.JobId, ct);
        IReadOnlyDictionary<string, string> variables;
        try
        {
            variables = await secrets.OpenForJobAsync(job, ct);
        }
        catch (JobSecretsUnavailable e)
        {
            return Refused("secret-unavailable", e.Message);
        }
        var text = new StringBuilder();
        foreach (var (name, value) in variables)
        {
            text.Append(name).Append(' ').Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))).Append('\n');
        }
        loggers.CreateLogger(typeof(JobEnvironmentEndpoints)).LogInformation(
            "Allocation {Allocation} of job {Job} fetched its {Count} variables ({Names})", allocationId, job.Id, variables.Count,
            string.Join(' ', variables.Keys));
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(text.ToString(), "text/plain", Encoding.UTF8);
    }

    private static IResult Unauthorized(HttpContext context, string code, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Callback token refused", detail: detail,
            extensions: new Dictionary<string, object?> { ["reason"] = code });
    }

    private static IResult Refused(string code, string detail) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "The job's variables are not handed out", detail: detail, extensions: new Dictionary<string, object?> { ["reason"] = code });
}
