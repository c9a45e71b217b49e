using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace Broker.Bench.Lifecycle;

/// <summary>
/// Hangfire's own rate on this database: a server with Broker's storage options and worker count, N no-op jobs enqueued
/// at once (in a schema of their own, so Broker's servers never see them), timed from the first enqueue to the last
/// execution; with the database's commits per execution.
/// </summary>
public static class NoopRate
{
    private static int executed;

    public static void Nothing() => Interlocked.Increment(ref executed);

    public static async Task<int> RunAsync(Options options)
    {
        var connection = options.Text("connection");
        var count = options.Number("count");
        var workers = options.Number("workers", 4);
        // The same options as Broker.Api's BackgroundJobs; only the schema differs.
        var storageOptions = new PostgreSqlStorageOptions
        {
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
            SchemaName = options.Text("schema", "hangfire_noop"),
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connection, storageOptions), storageOptions);
        GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings().UseStorage(storage);
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, SchedulePollingInterval = TimeSpan.FromSeconds(1) }, storage);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var client = new BackgroundJobClient(storage);
        var commitsBefore = await CommitsAsync(connection);
        var clock = Stopwatch.StartNew();
        var enqueuers = Math.Min(4, count);
        await Task.WhenAll(Enumerable.Range(0, enqueuers).Select(e => Task.Run(() =>
        {
            for (var i = e; i < count; i += enqueuers)
            {
                client.Enqueue(() => Nothing());
            }
        })));
        var enqueued = clock.Elapsed.TotalSeconds;
        while (Volatile.Read(ref executed) < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new InvalidOperationException($"only {executed} of {count} no-op jobs ran in 30 minutes");
            }
            await Task.Delay(5);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        // Let the last state changes commit and the backends report their counts.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var commits = await CommitsAsync(connection) - commitsBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire_noop_jobs={count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire_noop_workers={workers}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire_noop_enqueue_per_s={count / enqueued:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire_noop_commits_per_job={(double)commits / count:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire_noop_per_s={count / seconds:F1}"));
        return 0;
    }

    private static async Task<long> CommitsAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
