using Npgsql;

namespace Broker.Core.Persistence;

/// <summary>
/// A PostgreSQL session advisory lock on an unpooled connection of its own, held while one background run works and gone
/// when it is disposed or when its process dies: the server ends the session, and its locks, as soon as the connection
/// drops. Hangfire's <c>DisableConcurrentExecution</c> instead keeps a lock row that a killed replica leaves behind for
/// Hangfire.PostgreSql's <c>DistributedLockTimeout</c> (10 minutes), during which no replica runs that job (the chaos soak
/// found reconciliation stopped on all three replicas after one SIGKILL).
/// </summary>
public sealed class SessionAdvisoryLock : IAsyncDisposable
{
    /// <summary>The first key of the two-key form ("JOB"), so these locks never meet the placement pass's own key.</summary>
    private const int LockClass = 0x4A4F42;

    private readonly NpgsqlConnection connection;

    private SessionAdvisoryLock(NpgsqlConnection connection) => this.connection = connection;

    /// <summary>Takes the lock named <paramref name="name"/> if nobody holds it; null when another session does.</summary>
    public static async Task<SessionAdvisoryLock?> TryAcquireAsync(string connectionString, string name, CancellationToken ct)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = $"broker lock {name}" };
        var connection = new NpgsqlConnection(unpooled.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, hashtext(@name))", connection);
            command.Parameters.AddWithValue("class", LockClass);
            command.Parameters.AddWithValue("name", name);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return new SessionAdvisoryLock(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Closing the unpooled connection ends the session, which releases the lock.</summary>
    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
