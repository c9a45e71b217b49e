using Broker.Core.Provisioning;

namespace Broker.Api.Endpoints;

/// <summary>Reads a callback request's token and allocation without the database (the rate limiter uses it before routing).</summary>
public static class CallbackBearer
{
    private const string Prefix = "Bearer ";

    /// <summary>The token after <c>Bearer </c>, or null when there is none (or it is absurdly long).</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header[Prefix.Length..].Trim();
        return token.Length is 0 or > 256 ? null : token;
    }

    /// <summary>The allocation of a <c>POST /v1/instances/{id}/events</c> (or <c>GET …/environment</c>) path, read from the raw path.</summary>
    public static bool TryGetAllocationId(HttpRequest request, out Guid allocationId)
    {
        const string head = "/v1/instances/";
        var tail = HttpMethods.IsGet(request.Method) ? "/environment" : "/events";
        allocationId = Guid.Empty;
        var path = request.Path.Value;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsGet(request.Method)) || path is null || path.Length <= head.Length + tail.Length
            || !path.StartsWith(head, StringComparison.OrdinalIgnoreCase) || !path.EndsWith(tail, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return Guid.TryParse(path.AsSpan(head.Length, path.Length - head.Length - tail.Length), out allocationId);
    }

    public static string Code(CallbackTokenVerdict verdict) => verdict switch
    {
        CallbackTokenVerdict.Missing => "missing-token",
        CallbackTokenVerdict.Malformed => "malformed-token",
        CallbackTokenVerdict.NotForThisAllocation => "wrong-allocation",
        CallbackTokenVerdict.Expired => "expired",
        _ => "valid",
    };
}
