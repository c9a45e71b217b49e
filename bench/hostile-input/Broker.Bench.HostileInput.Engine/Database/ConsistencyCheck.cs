using System.Text.RegularExpressions;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Npgsql;

namespace Broker.HostileInput.Database;

/// <summary>
/// Invariants Broker's database must hold whatever requests it was sent: relations (events, labels and allocations belong
/// to jobs; every job has its one submitted event; one live allocation per job), known states, ranges, and stored text
/// that passes the intake rules (names, images, label keys, teams; no control characters, no replacement characters).
/// </summary>
public static partial class ConsistencyCheck
{
    public sealed record Violation(string Check, long Rows, string Example);

    public static async Task<IReadOnlyList<Violation>> RunAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var violations = new List<Violation>();
        foreach (var (check, sql) in SqlChecks())
        {
            await using var command = new NpgsqlCommand($"SELECT count(*), min(example) FROM ({sql}) v", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.GetInt64(0) > 0)
            {
                violations.Add(new Violation(check, reader.GetInt64(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
            }
        }
        violations.AddRange(await TextChecksAsync(connection, ct));
        return violations;
    }

    private static IEnumerable<(string Check, string Sql)> SqlChecks()
    {
        var jobStates = string.Join(", ", Enum.GetNames<JobState>().Select(s => $"'{s}'"));
        var allocationStates = string.Join(", ", Enum.GetNames<AllocationState>().Select(s => $"'{s}'"));
        yield return ("job without exactly one submitted event", """
            SELECT j.id::text AS example FROM jobs j
            WHERE (SELECT count(*) FROM job_events e WHERE e.job_id = j.id AND e.kind = 'Submitted') <> 1
            """);
        yield return ("label of a missing job", "SELECT l.job_id::text AS example FROM job_labels l WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = l.job_id)");
        yield return ("event of a missing job", "SELECT e.job_id::text AS example FROM job_events e WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id)");
        yield return ("allocation of a missing job", "SELECT a.id::text AS example FROM allocations a WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = a.job_id)");
        yield return ("unknown job state", $"SELECT id::text || ' ' || state AS example FROM jobs WHERE state NOT IN ({jobStates})");
        yield return ("unknown allocation state", $"SELECT id::text || ' ' || state AS example FROM allocations WHERE state NOT IN ({allocationStates})");
        yield return ("more than one live allocation per job", "SELECT job_id::text AS example FROM allocations WHERE state <> 'Closed' GROUP BY job_id HAVING count(*) > 1");
        yield return ("job numbers out of range", """
            SELECT id::text AS example FROM jobs
            WHERE gpu_count NOT BETWEEN 1 AND 64 OR cpu_cores NOT BETWEEN 1 AND 1024 OR memory_gb NOT BETWEEN 1 AND 16384
               OR priority NOT BETWEEN 0 AND 100 OR estimated_duration <= interval '0' OR estimated_duration > interval '30 days'
               OR max_price_per_gpu_hour < 0 OR max_price_per_gpu_hour > 1000
            """);
    }

    private static async Task<List<Violation>> TextChecksAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var found = new Dictionary<string, (long Rows, string Example)>(StringComparer.Ordinal);
        void Flag(string check, string example)
        {
            var (rows, first) = found.GetValueOrDefault(check, (0, example));
            found[check] = (rows + 1, first);
        }
        await using (var jobs = new NpgsqlCommand("SELECT id::text, name, image, team, coalesce(idempotency_key, ''), command FROM jobs", connection))
        await using (var reader = await jobs.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!JobName().IsMatch(reader.GetString(1)))
                {
                    Flag("job name breaks the name rule", id);
                }
                if (!ImageReference.IsValid(reader.GetString(2)))
                {
                    Flag("job image is not an OCI reference", id);
                }
                if (!Team().IsMatch(reader.GetString(3)))
                {
                    Flag("job team breaks the team rule", id);
                }
                if (reader.GetString(4) is { Length: > 0 } key && !key.All(c => c is > ' ' and <= '~'))
                {
                    Flag("idempotency key breaks its rule", id);
                }
                if (reader.GetFieldValue<string[]>(5).Any(Lossy))
                {
                    Flag("command holds lossy text", id);
                }
            }
        }
        await using (var labels = new NpgsqlCommand("SELECT job_id::text, key, value FROM job_labels", connection))
        await using (var reader = await labels.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (!LabelKey().IsMatch(reader.GetString(1)))
                {
                    Flag("label key breaks the key rule", reader.GetString(0));
                }
                if (Lossy(reader.GetString(2)))
                {
                    Flag("label value holds lossy text", reader.GetString(0));
                }
            }
        }
        await using (var keys = new NpgsqlCommand("SELECT id::text, name, team FROM api_keys", connection))
        await using (var reader = await keys.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (Lossy(reader.GetString(1)))
                {
                    Flag("key name holds lossy text", reader.GetString(0));
                }
                if (!reader.IsDBNull(2) && !Team().IsMatch(reader.GetString(2)))
                {
                    Flag("key team breaks the team rule", reader.GetString(0));
                }
            }
        }
        return [.. found.Select(f => new Violation(f.Key, f.Value.Rows, f.Value.Example))];
    }

    /// <summary>
    /// Text only a lossy decoding makes: U+FFFD (PostgreSQL stores UTF-8, so a lone surrogate that got in turns into it).
    /// The hostile values never send U+FFFD themselves.
    /// </summary>
    private static bool Lossy(string text) => text.Contains('\ufffd', StringComparison.Ordinal);

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex JobName();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,62}\z")]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex Team();
}
