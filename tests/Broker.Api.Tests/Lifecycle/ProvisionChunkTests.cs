using System.Text.Json;
using Broker.Api.Jobs;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The stepped lifecycle app whose simulated clouds do not run out of instances.</summary>
public sealed class ProvisionChunkApp : LifecycleApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Simulated:CapacityPerOffer"] = "1000",
    };
}

/// <summary>
/// A placement pass's allocations are provisioned by one Hangfire job per chunk: the chunk carries every allocation out,
/// and running it twice, even at once, creates nothing twice.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ProvisionChunkTests(ProvisionChunkApp app) : IClassFixture<ProvisionChunkApp>
{
    private const int Jobs = 12;

    [Fact]
    public async Task A_chunk_provisions_all_its_allocations_once_even_when_run_twice_at_once_and_again()
    {
        var allocations = await PlaceAsync("chunk");
        var job = ActivatorUtilities.CreateInstance<ProvisionAllocationsJob>(app.Services, new LifecycleOptions { ProvisionParallelism = 4 });

        await Task.WhenAll(job.RunAsync([.. allocations], default), job.RunAsync([.. allocations], default));
        await job.RunAsync([.. allocations], default);

        await using var db = app.NewDbContext();
        var rows = await db.Allocations.AsNoTracking().Where(a => allocations.Contains(a.Id)).ToListAsync();
        Assert.Equal(Jobs, rows.Count);
        Assert.All(rows, a => Assert.NotEqual(AllocationState.Requested, a.State));
        Assert.All(rows, a => Assert.NotNull(a.ExternalId));
        Assert.Equal(Jobs, rows.Select(a => (a.Provider, a.ExternalId)).Distinct().Count());
        var clouds = app.Services.GetRequiredService<SimulatedClouds>();
        Assert.All(rows, a => Assert.Equal(a.ExternalId, Assert.Single(clouds[a.Provider].InstancesOf(a.Id)).InstanceId));
    }

    [Fact]
    public async Task A_pass_is_enqueued_as_chunks_that_together_hold_each_allocation_once()
    {
        var allocations = await PlaceAsync("chunked");
        var options = new LifecycleOptions { ProvisionChunkSize = 5 };

        app.Services.GetRequiredService<IBackgroundJobClient>().EnqueueProvisioning(allocations, options);

        var chunks = await EnqueuedChunksAsync();
        Assert.Equal((Jobs + options.ProvisionChunkSize - 1) / options.ProvisionChunkSize, chunks.Count);
        Assert.All(chunks, c => Assert.InRange(c.Count, 1, options.ProvisionChunkSize));
        Assert.Equal(allocations.Order(), chunks.SelectMany(c => c).Order());
    }

    private async Task<IReadOnlyList<Guid>> PlaceAsync(string team)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        for (var i = 0; i < Jobs; i++)
        {
            await JobApi.SubmitAsync(client, FaultJobs.Body($"{team}-{i}", ["A10G"], ["sleep", "60"], minutes: 60));
        }
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        var placed = await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));
        Assert.Equal(Jobs, placed.Count);
        return placed;
    }

    /// <summary>The allocation ids of each ProvisionAllocationsJob waiting in Hangfire (this app runs no Hangfire server).</summary>
    private async Task<List<List<Guid>>> EnqueuedChunksAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT arguments::text FROM hangfire.job WHERE invocationdata::text LIKE '%ProvisionAllocationsJob%'
            """, connection);
        var chunks = new List<List<Guid>>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // Hangfire stores each argument as its own JSON text: ["[\"id\",...]", null].
            var arguments = JsonSerializer.Deserialize<string?[]>(reader.GetString(0))!;
            chunks.Add(JsonSerializer.Deserialize<List<Guid>>(arguments[0]!)!);
        }
        return chunks;
    }
}
