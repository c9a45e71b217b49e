using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Broker.Api.Tests.Lifecycle;
using Npgsql;

namespace Broker.Api.Tests.Faults;

/// <summary>The lifecycle app on a PostgreSQL server of its own (scripts/pg.sh in a temp folder), so a test may restart it.</summary>
public class PrivatePostgresApp : LifecycleApp
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"broker-fault-pg-{Guid.NewGuid():N}");
    private readonly int port = FreePort();
    private bool started;

    public Task StopDatabaseAsync() => FaultJobs.RunScriptAsync("pg.sh", Fsync, "stop", directory);

    public Task<string> StartDatabaseAsync() => FaultJobs.RunScriptAsync("pg.sh", Fsync, "start", directory, port.ToString(CultureInfo.InvariantCulture));

    protected override async Task<string> CreateDatabaseAsync()
    {
        var admin = (await StartDatabaseAsync()).Trim();
        started = true;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE broker_fault", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = "broker_fault" }.ConnectionString;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (started)
            {
                await StopDatabaseAsync();
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Fsync => new() { ["PG_FSYNC"] = "off" };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
