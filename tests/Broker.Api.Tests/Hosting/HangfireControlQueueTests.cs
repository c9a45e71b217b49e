using Broker.Api.Jobs;
using Broker.Api.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broker.Api.Tests.Hosting;

/// <summary>The API with its real Hangfire server and one default worker, on schedules that stay out of the way.</summary>
public sealed class ControlQueueApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Hangfire:ServerEnabled"] = "true",
        ["Hangfire:WorkerCount"] = "1",
        ["Schedules:Placement"] = "0 0 1 1 *",
        ["Schedules:Reconcile"] = "0 0 1 1 *",
    };
}

/// <summary>Holds a Hangfire worker until the test lets it go: a provisioning backlog of one.</summary>
public sealed class HoldingTestJob
{
    public static readonly SemaphoreSlim Release = new(0);
    private static int running;

    public static int Running => Volatile.Read(ref running);

    public async Task RunAsync()
    {
        Interlocked.Increment(ref running);
        try
        {
            await Release.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }
}

/// <summary>Placement passes and reconcile rounds run in their own Hangfire queue, with workers of their own.</summary>
public sealed class HangfireControlQueueTests(ControlQueueApp app) : IClassFixture<ControlQueueApp>
{
    [Fact]
    public async Task A_placement_pass_and_a_reconcile_round_run_while_every_default_worker_is_busy()
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        try
        {
            jobs.Enqueue<HoldingTestJob>(j => j.RunAsync());
            jobs.Enqueue<HoldingTestJob>(j => j.RunAsync());
            for (var deadline = DateTime.UtcNow.AddSeconds(30); HoldingTestJob.Running == 0;)
            {
                Assert.True(DateTime.UtcNow < deadline, "the default worker never took the holding job");
                await Task.Delay(100);
            }

            var pass = jobs.Enqueue<PlacementPassJob>(j => j.RunAsync(CancellationToken.None));
            var round = jobs.Enqueue<ReconcileJob>(j => j.RunAsync(CancellationToken.None));

            await WaitSucceededAsync(pass);
            await WaitSucceededAsync(round);
            Assert.Equal(1, HoldingTestJob.Running);
            Assert.Equal(ControlQueue.Name, await EnqueuedQueueAsync(pass));
            Assert.Equal(ControlQueue.Name, await EnqueuedQueueAsync(round));
        }
        finally
        {
            HoldingTestJob.Release.Release(2);
        }
    }

    private async Task WaitSucceededAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? state;
        while ((state = await ScalarAsync("SELECT statename FROM hangfire.job WHERE id = @id", jobId)) != "Succeeded")
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} still {state} while the default worker is busy");
            await Task.Delay(200);
        }
    }

    private Task<string?> EnqueuedQueueAsync(string jobId) =>
        ScalarAsync("SELECT data->>'Queue' FROM hangfire.state WHERE jobid = @id AND name = 'Enqueued' ORDER BY id DESC LIMIT 1", jobId);

    private async Task<string?> ScalarAsync(string sql, string jobId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(sql, connection);
        query.Parameters.AddWithValue("id", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
        return await query.ExecuteScalarAsync() as string;
    }
}
