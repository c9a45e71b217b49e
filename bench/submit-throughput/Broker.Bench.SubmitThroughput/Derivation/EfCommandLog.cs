using System.Text.Json;
using System.Text.RegularExpressions;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>
/// Reads the API's JSON console log (Logging:Format=json, scopes on) with EF Core's Database.Command at Information and
/// Database.Transaction at Debug, and groups the commands and transaction events by the request that caused them.
/// </summary>
internal static partial class EfCommandLog
{
    private const int CommandExecuted = 20101;
    private const int CommandError = 20102;
    private const int TransactionStarted = 20200;
    private const int TransactionCommitted = 20202;
    private const int TransactionRolledBack = 20203;

    public static IReadOnlyList<CapturedRequest> Read(IEnumerable<string> lines, string requestPath)
    {
        var requests = new List<(string Id, List<EfStep> Steps)>();
        foreach (var line in lines)
        {
            if (Parse(line) is not { } entry)
            {
                continue;
            }
            using (entry)
            {
                var root = entry.RootElement;
                if (RequestIdOf(root, requestPath) is not { } requestId || StepOf(root) is not { } step)
                {
                    continue;
                }
                var index = requests.FindIndex(r => r.Id == requestId);
                if (index < 0)
                {
                    requests.Add((requestId, []));
                    index = requests.Count - 1;
                }
                requests[index].Steps.Add(step);
            }
        }
        return [.. requests.Select(r => new CapturedRequest(r.Id, r.Steps))];
    }

    private static JsonDocument? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? RequestIdOf(JsonElement entry, string requestPath)
    {
        if (!entry.TryGetProperty("Scopes", out var scopes) || scopes.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        foreach (var scope in scopes.EnumerateArray())
        {
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("RequestPath", out var path)
                && path.GetString() == requestPath && scope.TryGetProperty("RequestId", out var id))
            {
                return id.GetString();
            }
        }
        return null;
    }

    private static EfStep? StepOf(JsonElement entry)
    {
        if (!entry.TryGetProperty("Category", out var category)
            || category.GetString()?.StartsWith("Microsoft.EntityFrameworkCore.Database", StringComparison.Ordinal) != true)
        {
            return null;
        }
        var state = entry.GetProperty("State");
        return entry.GetProperty("EventId").GetInt32() switch
        {
            CommandExecuted => new EfCommand(state.GetProperty("commandText").GetString()!, DbTypes(state.GetProperty("parameters").GetString() ?? "")),
            CommandError => throw new InvalidDataException("A captured command failed: " + entry.GetProperty("Message").GetString()),
            TransactionStarted => new EfBegin(state.GetProperty("isolationLevel").GetString() ?? "Unspecified"),
            TransactionCommitted => new EfEnd(Committed: true),
            TransactionRolledBack => new EfEnd(Committed: false),
            _ => null,
        };
    }

    /// <summary>From EF's <c>@p0='?' (DbType = Guid), @name='?'</c>.</summary>
    internal static Dictionary<string, string?> DbTypes(string parameters) =>
        ParameterPattern().Matches(parameters).ToDictionary(
            m => m.Groups["name"].Value,
            m => m.Groups["type"].Success ? m.Groups["type"].Value : null,
            StringComparer.Ordinal);

    [GeneratedRegex(@"@(?<name>\w+)='(?:[^']|'')*'(?:\s*\([^)]*?DbType = (?<type>\w+)[^)]*\))?")]
    private static partial Regex ParameterPattern();
}
