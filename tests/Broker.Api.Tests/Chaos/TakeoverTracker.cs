using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Broker.Api.Tests.Chaos;

/// <summary>
/// How long the work a killed replica was doing waits for another replica. At the kill: the Hangfire jobs its server was
/// processing (and, for a job about an allocation, that row's version). Taken over: the same job, or another job with the
/// same invocation (the next run of a recurring pass, a new provisioning of the same allocation), starts processing on
/// another server, or the allocation's row is changed by someone else.
/// </summary>
public sealed partial class TakeoverTracker(SoakCluster cluster)
{
    private readonly List<double> seconds = [];
    private readonly List<Task> tracking = [];
    private readonly Lock gate = new();
    private int missing;

    public sealed record InFlight(long JobId, string Invocation, Guid? Allocation, string? AllocationVersion);

    public sealed record Snapshot(int Pid, long LastStateId, IReadOnlyList<InFlight> InFlight);

    public IReadOnlyList<double> Seconds
    {
        get
        {
            lock (gate)
            {
                return [.. seconds];
            }
        }
    }

    public int Missing => Volatile.Read(ref missing);

    public async Task<Snapshot> SnapshotAsync(int pid)
    {
        try
        {
            await using var connection = new NpgsqlConnection(cluster.ConnectionString);
            await connection.OpenAsync();
            await using var last = new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM hangfire.state", connection);
            var lastId = Convert.ToInt64(await last.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            await using var query = new NpgsqlCommand("""
                SELECT j.id, j.invocationdata::text FROM hangfire.job j JOIN hangfire.state s ON s.id = j.stateid
                WHERE j.statename = 'Processing' AND s.data::text LIKE @server
                """, connection);
            query.Parameters.AddWithValue("server", $"%:{pid}:%");
            var rows = new List<(long, string)>();
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1)));
                }
            }
            var inFlight = new List<InFlight>();
            foreach (var (id, invocation) in rows)
            {
                var allocation = GuidText().Match(invocation) is { Success: true } m ? Guid.Parse(m.Value) : (Guid?)null;
                inFlight.Add(new InFlight(id, invocation, allocation, allocation is { } a ? await VersionAsync(connection, a) : null));
            }
            return new Snapshot(pid, lastId, inFlight);
        }
        catch (NpgsqlException)
        {
            // The database is down at the kill: nothing to measure from.
            return new Snapshot(pid, long.MaxValue, []);
        }
    }

    public void Track(Snapshot snapshot)
    {
        lock (gate)
        {
            tracking.AddRange(snapshot.InFlight.Select(f => Task.Run(() => FollowAsync(snapshot, f))));
        }
    }

    public Task WaitAsync(TimeSpan timeout)
    {
        lock (gate)
        {
            return Task.WhenAll(tracking).WaitAsync(timeout);
        }
    }

    private async Task FollowAsync(Snapshot snapshot, InFlight work)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                if (await TakenOverAsync(snapshot, work))
                {
                    lock (gate)
                    {
                        seconds.Add(clock.Elapsed.TotalSeconds);
                    }
                    return;
                }
            }
            catch (NpgsqlException)
            {
            }
            await Task.Delay(250);
        }
        Interlocked.Increment(ref missing);
        lock (gate)
        {
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
    }

    private async Task<bool> TakenOverAsync(Snapshot snapshot, InFlight work)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
                WHERE s.id > @last AND s.name = 'Processing' AND s.data::text NOT LIKE @server
                  AND (j.id = @job OR j.invocationdata::text = @invocation))
            """, connection);
        query.Parameters.AddWithValue("last", snapshot.LastStateId);
        query.Parameters.AddWithValue("server", $"%:{snapshot.Pid}:%");
        query.Parameters.AddWithValue("job", work.JobId);
        query.Parameters.AddWithValue("invocation", work.Invocation);
        if ((bool)(await query.ExecuteScalarAsync())!)
        {
            return true;
        }
        return work.Allocation is { } allocation && await VersionAsync(connection, allocation) != work.AllocationVersion;
    }

    private static async Task<string?> VersionAsync(NpgsqlConnection connection, Guid allocation)
    {
        await using var query = new NpgsqlCommand("SELECT xmin::text FROM allocations WHERE id = @id", connection);
        query.Parameters.AddWithValue("id", allocation);
        return (string?)await query.ExecuteScalarAsync();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidText();
}
