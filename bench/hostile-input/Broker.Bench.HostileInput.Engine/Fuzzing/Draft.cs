using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;

namespace Broker.HostileInput.Fuzzing;

/// <summary>A request being mutated: its parts stay separate until <see cref="ToRequest"/> writes them out.</summary>
public sealed class Draft
{
    public required ApiRoute Route { get; init; }

    public required string Method { get; set; }

    public required string Path { get; set; }

    public List<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Query text appended as it is (already encoded, possibly on purpose wrongly).</summary>
    public string RawQuery { get; set; } = "";

    public string? Authorization { get; set; }

    public List<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string? ContentType { get; set; }

    public JNode? Body { get; set; }

    /// <summary>Once set, the body bytes as they are (the tree no longer matters).</summary>
    public byte[]? RawBody { get; set; }

    public bool Chunked { get; set; }

    public List<string> Mutations { get; } = [];

    public static Draft From(ApiRoute route, HostileTargets targets)
    {
        var body = route.Body?.Invoke();
        return new Draft
        {
            Route = route,
            Method = route.Method,
            Path = route.Path(targets),
            Query = [.. route.Query ?? []],
            Authorization = route.Authorization(targets, route.Caller),
            Body = body,
            ContentType = body is null ? null : "application/json",
        };
    }

    public byte[]? BodyBytes() => RawBody ?? (Body is null ? null : System.Text.Encoding.UTF8.GetBytes(Body.ToJson()));

    public HostileRequest ToRequest()
    {
        var query = ApiRoute.QueryString(Query);
        if (RawQuery.Length > 0)
        {
            query += (query.Length == 0 ? "?" : "&") + RawQuery;
        }
        return new HostileRequest
        {
            Method = Method,
            Path = Path + query,
            Authorization = Authorization,
            Headers = [.. Headers],
            ContentType = ContentType,
            Body = BodyBytes(),
            Chunked = Chunked,
        };
    }
}
