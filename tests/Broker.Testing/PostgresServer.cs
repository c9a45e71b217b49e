using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Broker.Testing;

/// <summary>
/// The PostgreSQL server tests run against: the one named by <c>BROKER_TEST_PG</c> (the test script starts it), or else a
/// private one this process starts with <c>scripts/pg.sh</c> and stops at exit. Each test class takes its own database.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<string> Server = new(StartOrUseConfigured, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string AdminConnectionString => Server.Value;

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static string StartOrUseConfigured()
    {
        if (Environment.GetEnvironmentVariable("BROKER_TEST_PG") is { Length: > 0 } configured)
        {
            return configured;
        }
        var dir = Path.Combine(Path.GetTempPath(), $"broker-test-pg-{Environment.ProcessId}");
        var port = FreePort();
        var connectionString = Run("start", dir, port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run("stop", dir);
        return connectionString;
    }

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "pg.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PG_FSYNC"] = "off" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"scripts/pg.sh {string.Join(' ', args)} failed: {errors}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
