using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The stepped lifecycle app with clouds that do not run out and instances that take ten real seconds to start, so nothing
/// but the step under test writes to the rows meanwhile.
/// </summary>
public sealed class BatchedWriteApp : LifecycleApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Simulated:CapacityPerOffer"] = "1000",
        ["Providers:Simulated:ProvisioningDelay"] = "10:00:00",
    };
}

/// <summary>
/// What a placement pass decides is written in one transaction per chunk, and what a provisioning chunk launched is recorded
/// in one: rows written by one transaction carry its id (<c>xmin</c>). A row that cannot be written sends its chunk one by
/// one: it alone is left for the next pass (or the next hand-back) and the others go.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class BatchedWriteTests(BatchedWriteApp app) : IClassFixture<BatchedWriteApp>
{
    private const int Jobs = 10;

    [Fact]
    public async Task A_pass_writes_its_placements_in_one_transaction()
    {
        var jobs = await SubmitAsync("batch-pass");

        var placed = await PassAsync();

        var ours = await AllocationsOfAsync(jobs);
        Assert.Equal(Jobs, ours.Count);
        Assert.Subset(placed.ToHashSet(), ours.Select(a => a.Id).ToHashSet());
        Assert.Equal(1, await DistinctXminsAsync("allocations", ours.Select(a => a.Id)));
        Assert.Equal(1, await DistinctXminsAsync("jobs", jobs));
        Assert.All(await JobsAsync(jobs), j => Assert.Equal(JobState.Placed, j.State));
    }

    [Fact]
    public async Task A_placement_that_cannot_be_written_is_left_for_the_next_pass_and_the_others_go()
    {
        var jobs = await SubmitAsync("batch-bad");
        var bad = jobs[3];
        await using (var trigger = await RefuseAsync("allocations", "INSERT", $"NEW.job_id = '{bad}'"))
        {
            await PassAsync();

            var placed = await AllocationsOfAsync(jobs);
            Assert.Equal(jobs.Where(j => j != bad).Order(), placed.Select(a => a.JobId).Order());
            var states = (await JobsAsync(jobs)).ToDictionary(j => j.Id, j => j.State);
            Assert.Equal(JobState.Pending, states[bad]);
            Assert.All(jobs.Where(j => j != bad), j => Assert.Equal(JobState.Placed, states[j]));
        }

        await PassAsync();

        var after = await AllocationsOfAsync(jobs);
        Assert.Equal(Jobs, after.Count);
        Assert.Single(after, a => a.JobId == bad);
        Assert.All(await JobsAsync(jobs), j => Assert.Equal(JobState.Placed, j.State));
    }

    [Fact]
    public async Task A_provisioning_chunk_records_its_launches_in_one_transaction()
    {
        var jobs = await SubmitAsync("batch-chunk");
        await PassAsync();
        var ids = (await AllocationsOfAsync(jobs)).Select(a => a.Id).ToList();

        var left = await ChunkAsync(ids);

        Assert.Empty(left);
        var rows = await AllocationsOfAsync(jobs);
        Assert.All(rows, a => Assert.Equal(AllocationState.Provisioning, a.State));
        Assert.All(rows, a => Assert.NotNull(a.ExternalId));
        Assert.Equal(1, await DistinctXminsAsync("allocations", ids));
        Assert.Equal(1, await DistinctXminsAsync("jobs", jobs));
        Assert.All(await JobsAsync(jobs), j => Assert.Equal(JobState.Starting, j.State));
    }

    [Fact]
    public async Task A_launch_that_cannot_be_recorded_stays_requested_alone_and_its_instance_is_recorded_once_later()
    {
        var jobs = await SubmitAsync("batch-launch");
        await PassAsync();
        var ids = (await AllocationsOfAsync(jobs)).Select(a => a.Id).ToList();
        var bad = ids[4];
        await using (var trigger = await RefuseAsync("allocations", "UPDATE", $"NEW.id = '{bad}' AND NEW.external_id IS NOT NULL"))
        {
            await ChunkAsync(ids);

            var rows = (await AllocationsOfAsync(jobs)).ToDictionary(a => a.Id);
            Assert.Equal(AllocationState.Requested, rows[bad].State);
            Assert.Null(rows[bad].ExternalId);
            Assert.All(ids.Where(id => id != bad), id => Assert.Equal(AllocationState.Provisioning, rows[id].State));
        }

        Assert.Empty(await ChunkAsync(ids));

        var after = (await AllocationsOfAsync(jobs)).ToDictionary(a => a.Id);
        Assert.Equal(AllocationState.Provisioning, after[bad].State);
        var clouds = app.Services.GetRequiredService<SimulatedClouds>();
        Assert.All(after.Values, a => Assert.Equal(a.ExternalId, Assert.Single(clouds[a.Provider].InstancesOf(a.Id)).InstanceId));
    }

    private async Task<List<Guid>> SubmitAsync(string team)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        var ids = new List<Guid>();
        for (var i = 0; i < Jobs; i++)
        {
            var job = await JobApi.SubmitAsync(client, FaultJobs.Body($"{team}-{i}", ["A10G"], ["sleep", "60"], minutes: 60));
            ids.Add(Guid.Parse(job["id"]!.GetValue<string>()));
        }
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        return ids;
    }

    private Task<IReadOnlyList<Guid>> PassAsync() => app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));

    private Task<IReadOnlyList<Guid>> ChunkAsync(IReadOnlyList<Guid> ids) =>
        app.WithScopeAsync(s => s.GetRequiredService<AllocationWorker>().ProvisionChunkAsync(ids, 4, default));

    private async Task<List<Allocation>> AllocationsOfAsync(IReadOnlyList<Guid> jobs)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().Where(a => jobs.Contains(a.JobId)).ToListAsync();
    }

    private async Task<List<Job>> JobsAsync(IReadOnlyList<Guid> jobs)
    {
        await using var db = app.NewDbContext();
        return await db.Jobs.AsNoTracking().Where(j => jobs.Contains(j.Id)).ToListAsync();
    }

    /// <summary>How many transactions last wrote these rows.</summary>
    private async Task<long> DistinctXminsAsync(string table, IEnumerable<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand($"SELECT count(DISTINCT xmin::text) FROM {table} WHERE id = ANY(@ids)", connection);
        query.Parameters.AddWithValue("ids", ids.ToArray());
        return (long)(await query.ExecuteScalarAsync())!;
    }

    /// <summary>A trigger that fails the matching writes as a unique violation would, until disposed.</summary>
    private async Task<IAsyncDisposable> RefuseAsync(string table, string operation, string when)
    {
        var name = $"refuse_{Guid.NewGuid():N}";
        await ExecuteAsync($"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'unique_violation'; END $$;
            CREATE TRIGGER {name} BEFORE {operation} ON {table} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}();
            """);
        return new Dropping(() => ExecuteAsync($"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Dropping(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }
}
