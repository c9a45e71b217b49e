using System.Collections.Concurrent;
using System.Text;
using Npgsql;

namespace Broker.HostileInput.Database;

/// <summary>
/// What is in Broker's database, read in one query over every table Broker's schemas hold (its own, <c>public</c>, and
/// Hangfire's): per table a row count and a hash of all rows, or, for attribution, one (owner, hash) pair per row, where
/// the owner is the job or API key a row belongs to. Tables are discovered (once per database and schema set), so tables
/// added by later migrations are covered too.
/// </summary>
public static class DatabaseSnapshot
{
    private static readonly ConcurrentDictionary<string, Task<List<Table>>> Discovered = new(StringComparer.Ordinal);

    public sealed record TableState(long Rows, string Hash);

    public sealed record Row(string Table, string Owner, string Hash);

    /// <summary>Table name to (row count, hash of every row).</summary>
    public static async Task<IReadOnlyDictionary<string, TableState>> FingerprintAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = await TablesAsync(connection, ["public", "hangfire"], ct);
        // An order-independent hash of the rows: the sum of each row's 64-bit hash (as numeric, so it cannot overflow).
        var sql = string.Join("\nUNION ALL\n", tables.Select(t =>
            $"SELECT '{t.Name}', count(*), coalesce(sum(hashtextextended(x::text, 0)::numeric), 0)::text FROM {t.Quoted} x"));
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new SortedDictionary<string, TableState>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = new TableState(reader.GetInt64(1), reader.GetString(2));
        }
        return result;
    }

    /// <summary>The tables whose count or hash differ, with both states, for an assertion message.</summary>
    public static string Differences(IReadOnlyDictionary<string, TableState> before, IReadOnlyDictionary<string, TableState> after)
    {
        var text = new StringBuilder();
        foreach (var table in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var was = before.GetValueOrDefault(table);
            var now = after.GetValueOrDefault(table);
            if (was != now)
            {
                text.Append(table).Append(": ").Append(was?.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-")
                    .Append(" -> ").Append(now?.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-").Append(" rows; ");
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Every row of Broker's own tables as (table, owner, hash); owners are <c>job:id</c>, <c>key:id</c>, <c>alloc:id</c>,
    /// <c>offer:provider/region/instance-type</c> (a segment's end updates its offer's observed interruptions) or empty.
    /// </summary>
    public static async Task<IReadOnlyList<Row>> RowsAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = await TablesAsync(connection, ["public"], ct);
        var sql = string.Join("\nUNION ALL\n", tables.Select(t => $"SELECT '{t.Name}', {t.OwnerExpression}, md5(x::text) FROM {t.Quoted} x"));
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<Row>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return rows;
    }

    private sealed record Table(string Schema, string Name, IReadOnlySet<string> Columns)
    {
        public string Quoted => $"\"{Schema}\".\"{Name.Split('.')[^1]}\"";

        public string OwnerExpression => Name switch
        {
            "public.jobs" => "'job:' || x.id::text",
            "public.api_keys" => "'key:' || x.id::text",
            // A key's audit records belong to the key they name; other audit records to their target.
            "public.audit_records" => "CASE WHEN x.target LIKE 'api-key:%' THEN 'key:' || substring(x.target from 9) ELSE 'audit:' || x.target END",
            "public.offers" => "'offer:' || x.provider || '/' || x.region || '/' || x.instance_type",
            _ when Columns.Contains("job_id") => "'job:' || x.job_id::text",
            _ when Columns.Contains("allocation_id") => "'alloc:' || x.allocation_id::text",
            _ => "''",
        };
    }

    private static Task<List<Table>> TablesAsync(NpgsqlConnection connection, string[] schemas, CancellationToken ct) =>
        Discovered.GetOrAdd(connection.ConnectionString + "|" + string.Join(',', schemas), _ => DiscoverAsync(connection, schemas, ct));

    private static async Task<List<Table>> DiscoverAsync(NpgsqlConnection connection, string[] schemas, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.table_schema, c.table_name, array_agg(c.column_name::text)
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = ANY($1)
            GROUP BY 1, 2 ORDER BY 1, 2
            """, connection);
        command.Parameters.AddWithValue(schemas);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tables = new List<Table>();
        while (await reader.ReadAsync(ct))
        {
            var schema = reader.GetString(0);
            var name = reader.GetString(1);
            if (name.Contains('"', StringComparison.Ordinal) || name.Contains('\'', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Unexpected table name {name}.");
            }
            tables.Add(new Table(schema, $"{schema}.{name}", new HashSet<string>(reader.GetFieldValue<string[]>(2), StringComparer.Ordinal)));
        }
        return tables;
    }
}
