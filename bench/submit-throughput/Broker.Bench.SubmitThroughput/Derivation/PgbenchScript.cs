using System.Globalization;
using System.Text;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>
/// A pgbench custom script that issues a submit's statements with its round trips and transaction boundaries: a batch
/// (with the BEGIN Npgsql sends ahead of it) becomes one <c>\startpipeline … \endpipeline</c>, as Npgsql pipelines it too.
/// Run it with <c>-M extended</c>, the protocol Npgsql speaks, and the returned <see cref="Defines"/> as <c>-D</c>.
/// </summary>
internal sealed record PgbenchScript(string Text, IReadOnlyList<KeyValuePair<string, string>> Defines)
{
    public static PgbenchScript Render(SubmitShape shape, IReadOnlyDictionary<(int Statement, string Parameter), Binding> bindings, int captured)
    {
        var used = shape.Statements.SelectMany(s => s.Parameters.Select(p => bindings[(s.Index, p)])).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"""
            -- One POST /v1/jobs as the API issues it, derived by bench/submit-throughput from {captured} captured submits:
            -- statements, order and transactions from the EF Core command log, bound values from the PostgreSQL log.
            """);
        foreach (var binding in used.Where(b => b is not NullBinding))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"--   :{binding.Name}: {binding.Description}");
        }
        foreach (var setup in used.Select(b => b.Setup).OfType<string>())
        {
            text.AppendLine(setup);
        }
        var trip = 0;
        foreach (var roundTrip in shape.RoundTrips)
        {
            trip++;
            switch (roundTrip)
            {
                case CommandRoundTrip command:
                    WriteCommand(text, trip, command, bindings);
                    break;
                case EndRoundTrip end:
                    text.AppendLine(CultureInfo.InvariantCulture, $"-- round trip {trip}").AppendLine(end.Commit ? "COMMIT;" : "ROLLBACK;");
                    break;
            }
        }
        var defines = used.Where(b => b.Define is not null).Select(b => KeyValuePair.Create(b.Name, b.Define!)).ToList();
        return new PgbenchScript(text.ToString(), defines);
    }

    private static void WriteCommand(StringBuilder text, int trip, CommandRoundTrip command, IReadOnlyDictionary<(int, string), Binding> bindings)
    {
        var sql = command.Statements
            .Select(s => SqlText.Rewrite(s.Sql, p => bindings[(s.Index, p)].Expression) + ";")
            .ToList();
        if (command.BeginIsolation is { } isolation)
        {
            sql.Insert(0, Begin(isolation));
        }
        var inTransaction = command.BeginIsolation is not null || command.Statements.FirstOrDefault()?.Transaction > 0;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"-- round trip {trip}: {command.Statements.Count} statement(s){(inTransaction ? " in a transaction" : "")}");
        var pipelined = sql.Count > 1;
        if (pipelined)
        {
            text.AppendLine("\\startpipeline");
        }
        foreach (var statement in sql)
        {
            text.AppendLine(statement);
        }
        if (pipelined)
        {
            text.AppendLine("\\endpipeline");
        }
    }

    /// <summary>The BEGIN Npgsql sends for the isolation level EF reported.</summary>
    private static string Begin(string isolation) => isolation switch
    {
        "ReadCommitted" => "BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED;",
        "RepeatableRead" => "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ;",
        "Serializable" or "Snapshot" => "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
        "ReadUncommitted" => "BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;",
        _ => "BEGIN;",
    };
}
