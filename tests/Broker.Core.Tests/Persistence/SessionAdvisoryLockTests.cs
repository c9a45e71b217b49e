using System.Diagnostics;
using Broker.Core.Persistence;
using Broker.Testing;
using Npgsql;

namespace Broker.Core.Tests.Persistence;

/// <summary>
/// The run lock on the real PostgreSQL: one holder at a time, and a holder killed with SIGKILL (here a psql process, as a
/// replica would be) releases it at once, not after a timeout.
/// </summary>
public sealed class SessionAdvisoryLockTests
{
    [Fact]
    public async Task One_holder_at_a_time_and_disposing_releases_it()
    {
        var database = await PostgresServer.CreateDatabaseAsync("runlock");

        await using (var first = await SessionAdvisoryLock.TryAcquireAsync(database, "lifecycle:reconcile", default))
        {
            Assert.NotNull(first);
            Assert.Null(await SessionAdvisoryLock.TryAcquireAsync(database, "lifecycle:reconcile", default));
            await using var other = await SessionAdvisoryLock.TryAcquireAsync(database, "costs:record", default);
            Assert.NotNull(other);
        }

        await using var again = await SessionAdvisoryLock.TryAcquireAsync(database, "lifecycle:reconcile", default);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_holder_killed_with_sigkill_releases_the_lock_within_a_second()
    {
        var database = await PostgresServer.CreateDatabaseAsync("runlock");
        var c = new NpgsqlConnectionStringBuilder(database);
        var start = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "-X", "-q", "-h", c.Host!, "-p", c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", c.Username!, "-d", c.Database! })
        {
            start.ArgumentList.Add(arg);
        }
        if (c.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }
        using var holder = Process.Start(start)!;
        // The same key the lock takes: its class and hashtext of the name. Then psql waits for input and its session is idle,
        // as a replica's lock session is while the run works.
        await holder.StandardInput.WriteLineAsync("SELECT pg_advisory_lock(4869954, hashtext('lifecycle:reconcile')); SELECT 'held';");
        await holder.StandardInput.FlushAsync();
        var held = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        while (held is not null && !held.Contains("held", StringComparison.Ordinal))
        {
            held = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.NotNull(held);
        Assert.Null(await SessionAdvisoryLock.TryAcquireAsync(database, "lifecycle:reconcile", default));

        holder.Kill();
        await holder.WaitForExitAsync();

        var clock = Stopwatch.StartNew();
        SessionAdvisoryLock? taken = null;
        while (taken is null && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            taken = await SessionAdvisoryLock.TryAcquireAsync(database, "lifecycle:reconcile", default);
            if (taken is null)
            {
                await Task.Delay(50);
            }
        }
        await using (taken)
        {
            Assert.NotNull(taken);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed} after the holder died");
        }
    }
}
