using System.Globalization;
using System.Text.Json;

namespace Broker.Bench.SubmitThroughput.Tests;

/// <summary>
/// Log lines in the formats the capture run produces: the API's JSON console log with EF Core's command and transaction
/// events, and PostgreSQL's stderr log with log_statement=all. The submit is a trimmed-down POST /v1/jobs.
/// </summary>
internal static class CapturedLogs
{
    public const string KeyLookup = "SELECT a.id, a.team\nFROM api_keys AS a\nWHERE a.hash = @hash AND a.revoked_at IS NULL\nLIMIT 1";
    public const string IdempotencyLookup = "SELECT j.id\nFROM jobs AS j\nWHERE j.team = @team AND j.idempotency_key = @key\nLIMIT 1";
    public const string InsertBatch =
        "INSERT INTO jobs (id, idempotency_key, name, submitted_at, team, updated_at)\nVALUES (@p0, @p1, @p2, @p3, @p4, @p5)\nRETURNING seq;\n" +
        "INSERT INTO job_labels (job_id, key, value)\nVALUES (@p6, @p7, @p8);";
    private const string InsertParameters =
        "@p0='?' (DbType = Guid), @p1='?', @p2='?', @p3='?' (DbType = DateTime), @p4='?', @p5='?' (DbType = DateTime), @p6='?' (DbType = Guid), @p7='?', @p8='?'";

    public static string JobId(int submit) => $"01a212aa-10a7-731e-bcf9-{submit:D12}";

    public static IEnumerable<string> EfLog(int submits, string insertBatch = InsertBatch)
    {
        yield return "Now listening on: http://127.0.0.1:5000";
        yield return Ef("0HN:00000000", 20101, new { parameters = "@hash='?'", commandText = KeyLookup }, path: "/v1/api-keys");
        for (var i = 1; i <= submits; i++)
        {
            var request = $"0HN:{i:D8}";
            yield return Ef(request, 20101, new { parameters = "@hash='?'", commandText = KeyLookup });
            yield return Ef(request, 20101, new { parameters = "@team='?', @key='?'", commandText = IdempotencyLookup });
            yield return Ef(request, 20209, new { isolationLevel = "Unspecified" });
            yield return Ef(request, 20200, new { isolationLevel = "ReadCommitted" });
            yield return Ef(request, 20101, new { parameters = InsertParameters, commandText = i == submits ? insertBatch : InsertBatch });
            yield return Ef(request, 20210, new { });
            yield return Ef(request, 20202, new { });
            yield return Ef(request, 20204, new { });
        }
    }

    /// <summary>The server's log of those submits, one element per physical line.</summary>
    public static IEnumerable<string> PostgresLog(int submits, int pid = 4242) =>
        PostgresEntries(submits, pid).SelectMany(entry => entry.Split('\n'));

    private static IEnumerable<string> PostgresEntries(int submits, int pid)
    {
        yield return Pg(pid, "LOG", "statement: SELECT 1");
        for (var i = 1; i <= submits; i++)
        {
            var at = $"2026-11-25 12:24:0{i}.99917+00";
            yield return Pg(pid, "LOG", "statement: DISCARD ALL");
            yield return Pg(pid, "LOG", "execute <unnamed>: " + Positional(KeyLookup, "@hash"));
            yield return Pg(pid, "DETAIL", "parameters: $1 = '6457384c8052'");
            yield return Pg(pid, "LOG", "execute <unnamed>: " + Positional(IdempotencyLookup, "@team", "@key"));
            yield return Pg(pid, "DETAIL", $"parameters: $1 = 'bench', $2 = 'capture-run1-{i}'");
            yield return Pg(pid, "LOG", "statement: BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED");
            yield return Pg(pid, "LOG", "execute <unnamed>: INSERT INTO jobs (id, idempotency_key, name, submitted_at, team, updated_at)\n" +
                "VALUES ($1, $2, $3, $4, $5, $6)\nRETURNING seq");
            yield return Pg(pid, "DETAIL",
                $"parameters: $1 = '{JobId(i)}', $2 = 'capture-run1-{i}', $3 = 'bench-capture-run1-{i}', $4 = '{at}', $5 = 'bench', $6 = '{at}'");
            yield return Pg(pid, "LOG", "execute <unnamed>: INSERT INTO job_labels (job_id, key, value)\nVALUES ($1, $2, $3)");
            yield return Pg(pid, "DETAIL", $"parameters: $1 = '{JobId(i)}', $2 = 'project', $3 = 'it''s'");
            yield return Pg(pid, "LOG", "statement: COMMIT");
        }
    }

    public static string Pg(int pid, string level, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"2026-11-25 12:24:24.238 UTC [{pid}] {level}:  {message.Replace("\n", "\n\t", StringComparison.Ordinal)}");

    public static string Ef(string requestId, int eventId, object state, string path = "/v1/jobs") => JsonSerializer.Serialize(new
    {
        EventId = eventId,
        LogLevel = "Information",
        Category = eventId >= 20200 ? "Microsoft.EntityFrameworkCore.Database.Transaction" : "Microsoft.EntityFrameworkCore.Database.Command",
        Message = "(not read)",
        State = state,
        Scopes = new object[]
        {
            new { Message = "SpanId:9e33b6cd50228a26", SpanId = "9e33b6cd50228a26" },
            new { Message = $"RequestPath:{path} RequestId:{requestId}", RequestId = requestId, RequestPath = path },
        },
    });

    private static string Positional(string sql, params string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            sql = sql.Replace(names[i], "$" + (i + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        return sql;
    }
}
