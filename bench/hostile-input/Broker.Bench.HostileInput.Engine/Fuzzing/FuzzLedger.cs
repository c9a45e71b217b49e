using System.Text.Json;
using Broker.HostileInput.Requests;

namespace Broker.HostileInput.Fuzzing;

/// <summary>
/// What a fuzz run saw: counts per status, the 5xx answers with their requests, and the owners (jobs, keys, allocations)
/// that accepted requests may have changed. Every other row must be as it was.
/// </summary>
public sealed class FuzzLedger
{
    public const int MaxSamples = 25;

    public int Requests { get; private set; }

    public int Status5xx { get; private set; }

    public int Accepted { get; private set; }

    public int Created { get; private set; }

    public int NonProblem4xx { get; private set; }

    public int TransportErrors { get; private set; }

    /// <summary>
    /// Requests that never reached the app: the HTTP client would not send them (CR/LF or non-Latin-1 characters in a
    /// header), or the in-process test host refuses them (an encoded NUL in the path; Kestrel answers those 400 itself).
    /// </summary>
    public int ClientRefused { get; private set; }

    public SortedDictionary<int, int> Statuses { get; } = [];

    /// <summary>The 4xx answers without a problem document, by status (Kestrel's own refusals have no body).</summary>
    public SortedDictionary<int, int> NonProblemStatuses { get; } = [];

    /// <summary>The first 5xx and transport errors, one per route, status and mutation list, with the exact request.</summary>
    public List<string> Failures { get; } = [];

    private readonly HashSet<string> sampled = new(StringComparer.Ordinal);

    public HashSet<string> Excused { get; } = new(StringComparer.Ordinal);

    public void Record(FuzzCase fuzzCase, HostileRequest request, int status, string? mediaType, string body)
    {
        Requests++;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        if (status >= 500)
        {
            Status5xx++;
            Sample($"{status} {fuzzCase.Route.Name} {fuzzCase.Mutations}", $"{status} after {fuzzCase.Mutations}: {request.Describe()} -> {Cut(body)}");
        }
        else if (status >= 400 && !string.Equals(mediaType, "application/problem+json", StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWith("/hangfire", StringComparison.OrdinalIgnoreCase) && request.Method != "HEAD")
        {
            NonProblem4xx++;
            NonProblemStatuses[status] = NonProblemStatuses.GetValueOrDefault(status) + 1;
        }
        else if (status is >= 200 and < 300)
        {
            Accepted++;
            Created += status == 201 ? 1 : 0;
            if (request.Method is not ("GET" or "HEAD" or "OPTIONS"))
            {
                ExcuseWhatItNames(request, body);
            }
        }
    }

    public void RecordException(FuzzCase fuzzCase, HostileRequest request, Exception e)
    {
        if (ClientWouldRefuse(request) || (e is InvalidOperationException && e.Message.Contains("null characters", StringComparison.Ordinal)))
        {
            ClientRefused++;
            return;
        }
        Requests++;
        TransportErrors++;
        Sample($"transport {fuzzCase.Route.Name} {fuzzCase.Mutations}", $"transport error ({e.GetType().Name}: {e.Message}) after {fuzzCase.Mutations}: {request.Describe()}");
    }

    /// <summary>An accepted write may change the rows of the ids it names: in its path, and the id its answer returns.</summary>
    private void ExcuseWhatItNames(HostileRequest request, string body)
    {
        var ids = request.Path.Split('?')[0].Split('/').Select(s => Guid.TryParse(Uri.UnescapeDataString(s), out var g) ? g : (Guid?)null)
            .OfType<Guid>().ToList();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                && Guid.TryParse(id.GetString(), out var created))
            {
                ids.Add(created);
            }
        }
        catch (JsonException)
        {
        }
        foreach (var id in ids)
        {
            Excused.UnionWith([$"job:{id}", $"key:{id}", $"alloc:{id}"]);
        }
    }

    private static bool ClientWouldRefuse(HostileRequest request) =>
        request.Headers.Select(h => h.Value).Append(request.Authorization ?? "").Append(request.ContentType ?? "")
            .Any(v => v.Any(c => c is '\r' or '\n' || c > '\u00ff'));

    private void Sample(string kind, string line)
    {
        if (Failures.Count < MaxSamples && sampled.Add(kind))
        {
            Failures.Add(line);
        }
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
