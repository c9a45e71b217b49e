using System.Data;
using System.Text;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Broker.Core.Costs.Reports;

/// <summary>A cost report request: entries starting in [From, To), optionally of one team, grouped by <see cref="GroupBy"/>.</summary>
public sealed record CostQuery(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CostGrouping> GroupBy, string? Team);

/// <summary>One group: its key values (in <see cref="CostQuery.GroupBy"/> order; null where an entry has none) and sums.</summary>
public sealed record CostRow(IReadOnlyList<string?> Keys, decimal GpuHours, decimal Cost, decimal OnDemandCost, long Entries)
{
    public decimal Savings => OnDemandCost - Cost;
}

/// <summary>
/// Cost reports from the daily rollups plus what they do not hold yet, in one SQL statement (one snapshot): rollup rows
/// for the whole UTC days in the range, raw entries already rolled up only for the partial days at its edges, and every
/// entry above the rollup watermark. Each entry is counted exactly once, so every total equals the sum of the entries.
/// </summary>
public sealed class CostReport(BrokerDbContext db)
{
    public const int MaxRows = 10_000;

    /// <summary>Rows in key order, or null when there would be more than <see cref="MaxRows"/>.</summary>
    public async Task<IReadOnlyList<CostRow>?> RunAsync(CostQuery query, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(ct);
        }
        try
        {
            await using var command = Build(connection, query);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<CostRow>();
            var keys = query.GroupBy.Count;
            while (await reader.ReadAsync(ct))
            {
                var values = new string?[keys];
                for (var i = 0; i < keys; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }
                rows.Add(new CostRow(values, reader.GetDecimal(keys), reader.GetDecimal(keys + 1), reader.GetDecimal(keys + 2), reader.GetInt64(keys + 3)));
                if (rows.Count > MaxRows)
                {
                    return null;
                }
            }
            return rows;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    private static NpgsqlCommand Build(NpgsqlConnection connection, CostQuery q)
    {
        var command = connection.CreateCommand();
        var firstDay = CeilDay(q.From);
        var lastDay = FloorDay(q.To);
        var fullDays = firstDay < lastDay;
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = q.From.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = q.To.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("edge1", NpgsqlDbType.TimestampTz) { Value = (fullDays ? firstDay : q.To).UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("edge2", NpgsqlDbType.TimestampTz) { Value = (fullDays ? lastDay : q.To).UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("day1", NpgsqlDbType.Date) { Value = DateOnly.FromDateTime(firstDay.UtcDateTime) });
        command.Parameters.Add(new NpgsqlParameter("day2", NpgsqlDbType.Date) { Value = DateOnly.FromDateTime((fullDays ? lastDay : firstDay).UtcDateTime) });
        command.Parameters.Add(new NpgsqlParameter("team", NpgsqlDbType.Text) { Value = (object?)q.Team ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = MaxRows + 1 });
        var keys = new List<string>();
        for (var i = 0; i < q.GroupBy.Count; i++)
        {
            keys.Add(Expression(q.GroupBy[i], i, command));
        }
        var select = keys.Count == 0 ? "" : string.Join(", ", keys.Select((k, i) => $"{k} AS k{i}")) + ", ";
        var tail = keys.Count == 0 ? "" : $" GROUP BY {string.Join(", ", Enumerable.Range(1, keys.Count))} ORDER BY {string.Join(", ", Enumerable.Range(1, keys.Count))}";
        var sql = new StringBuilder();
        sql.Append($"""
            WITH w AS (SELECT coalesce((SELECT last_entry_id FROM cost_rollup_state WHERE name = 'ledger'), 0) AS id),
            src AS (
                SELECT day, team, provider, region, market, instance_type, gpu_model, labels, gpu_hours, cost, on_demand_cost, entries
                FROM cost_daily_rollups
                WHERE day >= @day1 AND day < @day2 AND (@team IS NULL OR team = @team)
                UNION ALL
                SELECT {RawColumns}
                FROM cost_entries
                WHERE id <= (SELECT id FROM w) AND (@team IS NULL OR team = @team)
                  AND ((started_at >= @from AND started_at < @edge1) OR (started_at >= @edge2 AND started_at < @to))
                UNION ALL
                SELECT {RawColumns}
                FROM cost_entries
                WHERE id > (SELECT id FROM w) AND (@team IS NULL OR team = @team) AND started_at >= @from AND started_at < @to
            )
            SELECT {select}coalesce(sum(gpu_hours), 0), coalesce(sum(cost), 0), coalesce(sum(on_demand_cost), 0), coalesce(sum(entries), 0)::bigint
            FROM src{tail} LIMIT @limit
            """);
        command.CommandText = sql.ToString();
        return command;
    }

    private const string RawColumns = """
        (started_at AT TIME ZONE 'UTC')::date AS day, team, provider, coalesce(region, '') AS region, market,
        coalesce(instance_type, '') AS instance_type, gpu_model, labels, gpu_hours, cost, on_demand_cost, 1::bigint AS entries
        """;

    private static string Expression(CostGrouping g, int index, NpgsqlCommand command)
    {
        switch (g.Dimension)
        {
            case CostDimension.Label:
                command.Parameters.Add(new NpgsqlParameter($"label{index}", NpgsqlDbType.Text) { Value = g.LabelKey! });
                return $"labels ->> @label{index}";
            default:
                return g.Dimension switch
                {
                    CostDimension.Team => "team",
                    CostDimension.Provider => "provider",
                    CostDimension.Region => "nullif(region, '')",
                    CostDimension.Market => "lower(market)",
                    CostDimension.InstanceType => "nullif(instance_type, '')",
                    CostDimension.GpuModel => "gpu_model",
                    CostDimension.Day => "to_char(day, 'YYYY-MM-DD')",
                    _ => "to_char(day, 'YYYY-MM')",
                };
        }
    }

    public static DateTimeOffset FloorDay(DateTimeOffset t) => new(t.UtcDateTime.Date, TimeSpan.Zero);

    public static DateTimeOffset CeilDay(DateTimeOffset t) => FloorDay(t) == t ? t : FloorDay(t).AddDays(1);
}
