using System.Text.RegularExpressions;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <param name="Index">Position among all statements of one submit.</param>
/// <param name="Sql">EF Core's text with its <c>@name</c> placeholders.</param>
/// <param name="Hints">Parameter name to a readable variable name (the column it is compared with or inserted into).</param>
/// <param name="Transaction">Statements with the same number run in one transaction (an autocommit batch is one, too).</param>
internal sealed record ShapeStatement(
    int Index, string Sql, IReadOnlyList<string> Parameters, IReadOnlyDictionary<string, string?> DbTypes,
    IReadOnlyDictionary<string, string> Hints, int Transaction);

/// <summary>One round trip to the server: a command (with the BEGIN Npgsql sends ahead of it) or the COMMIT/ROLLBACK.</summary>
internal abstract record RoundTrip;

/// <param name="BeginIsolation">Set when EF began a transaction just before this command.</param>
internal sealed record CommandRoundTrip(IReadOnlyList<ShapeStatement> Statements, string? BeginIsolation) : RoundTrip;

internal sealed record EndRoundTrip(bool Commit) : RoundTrip;

/// <summary>The SQL one submit issues, in order, with its transaction boundaries, as EF Core logged it.</summary>
internal sealed partial record SubmitShape(IReadOnlyList<RoundTrip> RoundTrips)
{
    public IEnumerable<ShapeStatement> Statements => RoundTrips.OfType<CommandRoundTrip>().SelectMany(r => r.Statements);

    /// <summary>Equal for two submits that issued the same statements and transaction events.</summary>
    public string Signature => string.Join('\n', RoundTrips.Select(r => r switch
    {
        CommandRoundTrip c => $"{c.BeginIsolation}|{string.Join(';', c.Statements.Select(s => SqlText.Normalize(s.Sql)))}",
        EndRoundTrip e => e.Commit ? "COMMIT" : "ROLLBACK",
        _ => throw new InvalidOperationException(),
    }));

    public static SubmitShape Of(CapturedRequest request)
    {
        var roundTrips = new List<RoundTrip>();
        string? pendingBegin = null;
        var transaction = 0;
        var inTransaction = false;
        var index = 0;
        foreach (var step in request.Steps)
        {
            switch (step)
            {
                case EfBegin begin:
                    pendingBegin = begin.IsolationLevel;
                    inTransaction = true;
                    transaction++;
                    break;
                case EfEnd end:
                    if (pendingBegin is not null)
                    {
                        roundTrips.Add(new CommandRoundTrip([], pendingBegin));
                        pendingBegin = null;
                    }
                    roundTrips.Add(new EndRoundTrip(end.Committed));
                    inTransaction = false;
                    break;
                case EfCommand command:
                    var scope = inTransaction ? transaction : -(roundTrips.Count + 1);
                    var statements = SqlText.SplitStatements(command.Text)
                        .Select(sql => new ShapeStatement(index++, sql, SqlText.Parameters(sql), command.DbTypes, HintsOf(sql), scope))
                        .ToList();
                    roundTrips.Add(new CommandRoundTrip(statements, pendingBegin));
                    pendingBegin = null;
                    break;
                default:
                    throw new InvalidOperationException($"Unknown step {step}.");
            }
        }
        return new SubmitShape(roundTrips);
    }

    private static Dictionary<string, string> HintsOf(string sql)
    {
        var hints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (InsertPattern().Match(sql) is { Success: true } insert)
        {
            var table = Unquote(insert.Groups["table"].Value);
            var columns = insert.Groups["columns"].Value.Split(',', StringSplitOptions.TrimEntries);
            var values = insert.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries);
            foreach (var (column, value) in columns.Zip(values))
            {
                if (value.StartsWith('@'))
                {
                    hints.TryAdd(value[1..], $"{table}_{Unquote(column)}");
                }
            }
        }
        foreach (Match compared in ComparisonPattern().Matches(sql))
        {
            hints.TryAdd(compared.Groups["name"].Value, compared.Groups["column"].Value);
        }
        return hints;
    }

    private static string Unquote(string name) => name.Trim('"').Split('.')[^1].Trim('"');

    [GeneratedRegex(@"^INSERT INTO\s+(?<table>[\w"".]+)\s*\((?<columns>[^)]*)\)\s*VALUES\s*\((?<values>[^)]*)\)", RegexOptions.IgnoreCase)]
    private static partial Regex InsertPattern();

    [GeneratedRegex(@"""?(?<column>\w+)""?\s*(?:=|<>|<=|>=|<|>)\s*@(?<name>\w+)")]
    private static partial Regex ComparisonPattern();
}
