using Broker.HostileInput.Database;
using Broker.HostileInput.Requests;

namespace Broker.HostileInput.Fuzzing;

/// <summary>
/// Sends seeded mutations through an HTTP client (in-process test server or a real Broker) until told to stop, then judges
/// the database: rows no accepted request may have changed must be as they were, and the invariants must hold.
/// </summary>
public sealed class FuzzRun(HttpClient client, HostileTargets targets, int seed)
{
    public sealed record Verdict(FuzzLedger Ledger, int RowsChangedByRejected, IReadOnlyList<string> ChangedRows,
        IReadOnlyList<ConsistencyCheck.Violation> Violations);

    public async Task<Verdict> RunAsync(string connectionString, Func<FuzzLedger, bool> more, CancellationToken ct = default)
    {
        var before = await DatabaseSnapshot.RowsAsync(connectionString, ct);
        var ledger = new FuzzLedger();
        var mutator = new Mutator(seed, targets);
        while (more(ledger))
        {
            var fuzzCase = mutator.Next();
            await Task.WhenAll(fuzzCase.Requests.Select(r => SendAsync(fuzzCase, r, ledger, ct)));
        }
        var after = await DatabaseSnapshot.RowsAsync(connectionString, ct);
        var changed = ChangedByRejected(before, after, ledger, await AllocationJobsAsync(connectionString, ct));
        var violations = await ConsistencyCheck.RunAsync(connectionString, ct);
        return new Verdict(ledger, changed.Count, changed, violations);
    }

    private async Task SendAsync(FuzzCase fuzzCase, HostileRequest request, FuzzLedger ledger, CancellationToken ct)
    {
        try
        {
            using var response = await client.SendAsync(request.ToMessage(), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            lock (ledger)
            {
                ledger.Record(fuzzCase, request, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or FormatException)
        {
            lock (ledger)
            {
                ledger.RecordException(fuzzCase, request, e);
            }
        }
    }

    /// <summary>
    /// Rows added, removed or changed whose owner no accepted write named. An allocation's rows belong to its job too, and
    /// so does the offer it ran on. Rows without an owner (samples, migrations) may not change at all.
    /// </summary>
    public static List<string> ChangedByRejected(IReadOnlyList<DatabaseSnapshot.Row> before, IReadOnlyList<DatabaseSnapshot.Row> after,
        FuzzLedger ledger, IReadOnlyList<(string Allocation, string Job, string Offer)> allocations)
    {
        var excusedAllocations = allocations.Where(a => ledger.Excused.Contains("job:" + a.Job) || ledger.Excused.Contains("alloc:" + a.Allocation)).ToList();
        var excused = new HashSet<string>(ledger.Excused, StringComparer.Ordinal);
        excused.UnionWith(excusedAllocations.Select(a => "alloc:" + a.Allocation));
        excused.UnionWith(excusedAllocations.Select(a => "job:" + a.Job));
        excused.UnionWith(excusedAllocations.Select(a => "offer:" + a.Offer));
        bool Excused(string owner) => excused.Contains(owner);
        var counts = new Dictionary<DatabaseSnapshot.Row, int>();
        foreach (var row in before)
        {
            counts[row] = counts.GetValueOrDefault(row) - 1;
        }
        foreach (var row in after)
        {
            counts[row] = counts.GetValueOrDefault(row) + 1;
        }
        return [.. counts.Where(c => c.Value != 0 && !Excused(c.Key.Owner))
            .SelectMany(c => Enumerable.Repeat($"{c.Key.Table} {(c.Value > 0 ? "added" : "removed")} row of '{c.Key.Owner}'", Math.Abs(c.Value)))];
    }

    private static async Task<List<(string Allocation, string Job, string Offer)>> AllocationJobsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT id::text, job_id::text, provider || '/' || coalesce(region, '') || '/' || coalesce(instance_type, '') FROM allocations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var allocations = new List<(string, string, string)>();
        while (await reader.ReadAsync(ct))
        {
            allocations.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return allocations;
    }
}
