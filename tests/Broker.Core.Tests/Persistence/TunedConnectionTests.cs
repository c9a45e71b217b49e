using Broker.Core.Persistence;
using Broker.Testing;
using Npgsql;

namespace Broker.Core.Tests.Persistence;

/// <summary>
/// The connection string Broker and its Hangfire storage use (real PostgreSQL): a statement run over and over is prepared
/// on the server, so PostgreSQL stops parsing it each time; an explicit setting in the connection string wins.
/// </summary>
public sealed class TunedConnectionTests
{
    [Fact]
    public async Task A_statement_run_often_is_prepared_on_the_server()
    {
        var database = await PostgresServer.CreateDatabaseAsync("tuned");

        Assert.True(await PreparedAfterRepeatsAsync(BrokerDatabase.Tuned(database)));
    }

    [Fact]
    public async Task An_explicit_max_auto_prepare_of_zero_in_the_connection_string_wins()
    {
        var database = await PostgresServer.CreateDatabaseAsync("tuned");

        Assert.False(await PreparedAfterRepeatsAsync(BrokerDatabase.Tuned(database + ";Max Auto Prepare=0")));
    }

    private static async Task<bool> PreparedAfterRepeatsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var i = 0; i < 10; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT $1::int + 1 /* tuned-connection */", connection);
            repeated.Parameters.AddWithValue(i);
            Assert.Equal(i + 1, await repeated.ExecuteScalarAsync());
        }
        await using var check = new NpgsqlCommand(
            "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql AND statement LIKE '%tuned-connection%'", connection);
        return (long)(await check.ExecuteScalarAsync())! > 0;
    }
}
