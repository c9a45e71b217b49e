using Broker.Api.Tests.Secrets;
using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Costs.Budgets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Broker.Api.Tests.Costs;

/// <summary>The costs app with every log line captured.</summary>
public sealed class LoggedCostsApp : CostsApp
{
    public CapturedLogs Logs { get; } = new();

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.AddSingleton<ILoggerProvider>(Logs);
    }
}

/// <summary>
/// Two writers of one allocation's entries that both passed the "already priced?" look-up (the release's hook and the
/// sweep, on two replicas): the second must find the first's marker and write nothing, without a database error in the logs.
/// </summary>
public sealed class LedgerRaceTests(LoggedCostsApp app) : IClassFixture<LoggedCostsApp>
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_second_writer_of_the_same_usage_parts_writes_nothing_and_logs_no_error()
    {
        const string team = "ledger-race";
        var job = await app.SubmitAsync(team);
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "azure", 27.197m, 8, T0, T0.AddHours(1),
            instanceType: "Standard_ND96isr_H100_v5", region: "eastus");

        // Both writers get past the look-up, then queue on the team's ledger lock, held here until both wait on it.
        await using var holder = new NpgsqlConnection(app.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var lockTeam = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@team))", holder, held))
        {
            lockTeam.Parameters.AddWithValue("class", BudgetAccounts.LockClass);
            lockTeam.Parameters.AddWithValue("team", team);
            await lockTeam.ExecuteNonQueryAsync();
        }
        // The app's start-up logs its own (a fresh database has no migrations history yet): only the writers' count.
        var errorsBefore = app.Logs.Errors.Count;
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => app.RecordAsync(allocation.Id))).ToList();
        await WaitForLockWaitersAsync(holder, 2);
        await held.CommitAsync();
        var outcomes = await Task.WhenAll(writers);

        Assert.Equal([RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded], outcomes.Order());
        Assert.Single(await app.EntriesAsync(allocation.Id));
        var errors = app.Logs.Errors.Skip(errorsBefore).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task WaitForLockWaitersAsync(NpgsqlConnection connection, int waiters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using var count = new NpgsqlCommand("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        while (Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) < waiters)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{waiters} writers never queued on the team's ledger lock");
            await Task.Delay(50);
        }
    }
}
