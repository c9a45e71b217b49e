using System.Diagnostics;
using Broker.Api.Hosting;
using Broker.Api.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Hosting;

/// <summary>The API with its real Hangfire servers and a 3 s invisibility timeout, on schedules that stay out of the way.</summary>
public sealed class InvisibilityApp : BrokerApp
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Hangfire:ServerEnabled"] = "true",
        ["Hangfire:WorkerCount"] = "1",
        ["Hangfire:InvisibilityTimeout"] = Timeout.ToString(),
        ["Schedules:Placement"] = "0 0 1 1 *",
        ["Schedules:Reconcile"] = "0 0 1 1 *",
    };
}

/// <summary>A job that runs for as long as it is told (or until its server stops).</summary>
public sealed class LongTestJob
{
    private static int running;

    public static int Running => Volatile.Read(ref running);

    public async Task RunAsync(int seconds, CancellationToken ct)
    {
        Interlocked.Increment(ref running);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }
}

/// <summary>
/// A job fetched by a replica that died is fetched again by another once the invisibility timeout passes (not after
/// Hangfire.PostgreSql's default 30 min), and a job still running on a live server past the timeout is not.
/// </summary>
public sealed class HangfireInvisibilityTests(InvisibilityApp app) : IClassFixture<InvisibilityApp>
{
    [Fact]
    public async Task A_job_a_dead_replica_fetched_is_fetched_again_once_the_timeout_passes()
    {
        // The dead replica: a storage of its own whose server never runs, so nothing renews its fetch.
        var options = BackgroundJobs.StorageOptions(app.Services.GetRequiredService<IConfiguration>());
        var dead = new PostgreSqlStorage(new NpgsqlConnectionFactory(app.ConnectionString, options), options);
        var jobId = new BackgroundJobClient(dead).Create(Job.FromExpression<LongTestJob>(j => j.RunAsync(0, CancellationToken.None)),
            new EnqueuedState("invisibility"));
        using var deadConnection = dead.GetConnection();
        var lost = deadConnection.FetchNextJob(["invisibility"], CancellationToken.None);
        Assert.Equal(jobId, lost.JobId);

        using var live = app.Services.GetRequiredService<JobStorage>().GetConnection();
        using var giveUp = new CancellationTokenSource(InvisibilityApp.Timeout + TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();
        using var again = await Task.Run(() => live.FetchNextJob(["invisibility"], giveUp.Token));
        clock.Stop();

        Assert.Equal(jobId, again.JobId);
        Assert.True(clock.Elapsed >= InvisibilityApp.Timeout - TimeSpan.FromSeconds(1), $"fetched again after {clock.Elapsed}, before the timeout");
        again.RemoveFromQueue();
    }

    [Fact]
    public async Task A_job_running_past_the_timeout_on_a_live_server_is_not_fetched_by_another()
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var jobId = jobs.Enqueue<LongTestJob>(j => j.RunAsync(12, CancellationToken.None));
        for (var deadline = DateTime.UtcNow.AddSeconds(30); LongTestJob.Running == 0;)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server never took the long job");
            await Task.Delay(100);
        }

        // Another replica's worker polls the default queue for three timeouts while the job runs: it must not get it.
        using var other = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var watch = Stopwatch.StartNew();
        var window = 3 * InvisibilityApp.Timeout;
        while (watch.Elapsed < window)
        {
            using var poll = new CancellationTokenSource(window - watch.Elapsed);
            IFetchedJob fetched;
            try
            {
                fetched = await Task.Run(() => other.FetchNextJob(["default"], poll.Token));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            using (fetched)
            {
                Assert.NotEqual(jobId, fetched.JobId);
                fetched.Requeue();
            }
            await Task.Delay(200);
        }

        Assert.Equal(1, LongTestJob.Running);
    }
}
