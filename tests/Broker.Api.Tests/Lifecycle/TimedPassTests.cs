using System.Text.Json.Nodes;
using Broker.Api.Jobs;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Testing;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The API on its own database with a clock the test moves; Hangfire stores jobs but runs none (the test does).</summary>
public sealed class TimedPassApp : BrokerApp
{
    public const string Team = "timed";
    public const string HolderTeam = "timed-holder";

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Placement:MaxWaitBeforeBurst"] = "00:10:00",
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
        [$"OnPrem:Teams:{HolderTeam}:User"] = SlurmServer.TeamUserA,
    };

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    public async Task<Job> SubmitAsync(string team, TimeSpan estimate)
    {
        await using var scope = Services.CreateAsyncScope();
        var submission = new JobSubmission("timed", 1, ["T4"], null, 4, 16, "ghcr.io/acme/train:1", ["python", "train.py"], estimate, null,
            0, true, null, null, new Dictionary<string, string>());
        return (await scope.ServiceProvider.GetRequiredService<JobService>().SubmitAsync(team, submission, null, default)).Job;
    }

    /// <summary>A regular pass, as the recurring Hangfire job runs it.</summary>
    public async Task RegularPassAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<PlacementPassJob>(scope.ServiceProvider).RunAsync(default);
    }

    /// <summary>Runs the scheduled passes that are due now, as Hangfire's scheduler would; returns how many ran.</summary>
    public async Task<int> RunDueTimedPassesAsync()
    {
        var due = ScheduledPasses().Where(at => at <= Clock.GetUtcNow()).ToList();
        foreach (var _ in due)
        {
            await using var scope = Services.CreateAsyncScope();
            await ActivatorUtilities.CreateInstance<PlacementPassJob>(scope.ServiceProvider).RunTimedAsync(default);
        }
        return due.Count;
    }

    /// <summary>When each timed placement pass in Hangfire's schedule is due.</summary>
    public List<DateTimeOffset> ScheduledPasses() =>
        [.. Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(PlacementPassJob) && j.Value.Job.Method.Name == nameof(PlacementPassJob.RunTimedAsync))
            .Select(j => new DateTimeOffset(DateTime.SpecifyKind(j.Value.EnqueueAt, DateTimeKind.Utc)))];
}

public sealed class TimedPassTests(TimedPassApp app) : IClassFixture<TimedPassApp>
{
    [Fact]
    public async Task A_pending_job_is_placed_at_its_wait_limit_by_a_timed_pass_not_at_the_next_regular_pass()
    {
        var t0 = app.Clock.GetUtcNow();
        // The only T4 node is busy with a job expected to end exactly when the waiting job's 10-minute max wait runs out.
        var holder = await app.SubmitAsync(TimedPassApp.HolderTeam, TimeSpan.FromMinutes(30));
        await using (var db = app.NewDbContext())
        {
            db.OnPremNodes.Add(new OnPremNodeRecord
            {
                Name = "timed-t4", GpuModel = "T4", GpuTotal = 1, GpuUsed = 1, State = OnPremNodeState.Allocated, Cpus = 16, MemoryMb = 64_000,
                LastSeenAt = t0, Present = true,
            });
            db.Allocations.Add(new Allocation
            {
                Id = Guid.CreateVersion7(), JobId = holder.Id, Market = CapacityType.OnPrem, Provider = "slurm", Node = "timed-t4", GpuModel = "T4",
                Gpus = 1, PricePerHour = 1.2m, State = AllocationState.Running, CreatedAt = t0.AddMinutes(-21), StartedAt = t0.AddMinutes(-20),
            });
            await db.SaveChangesAsync();
            await db.Jobs.Where(j => j.Id == holder.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Running));
        }
        var waiting = await app.SubmitAsync(TimedPassApp.Team, TimeSpan.FromHours(2));
        var limit = waiting.SubmittedAt.AddMinutes(10);

        await app.RegularPassAsync();
        Assert.Equal("wait", (await PlacementAsync(waiting.Id))?["action"]?.GetValue<string>());
        Assert.Contains("max wait", (await PlacementAsync(waiting.Id))!["chosen"]!.GetValue<string>(), StringComparison.Ordinal);
        var scheduled = Assert.Single(app.ScheduledPasses());
        Assert.InRange(scheduled - limit, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // A regular pass shortly before the limit: still waiting, and the timed pass is not scheduled twice.
        app.Clock.SetUtcNow(limit.AddSeconds(-10));
        await app.RegularPassAsync();
        Assert.Equal("wait", (await PlacementAsync(waiting.Id))?["action"]?.GetValue<string>());
        Assert.Single(app.ScheduledPasses());
        Assert.Equal(0, await app.RunDueTimedPassesAsync());

        // At the limit the timed pass runs (the next regular one would come 5 s later, with a 15 s schedule) and bursts it.
        app.Clock.SetUtcNow(scheduled);
        Assert.Equal(1, await app.RunDueTimedPassesAsync());

        await using var check = app.NewDbContext();
        var allocation = await check.Allocations.AsNoTracking().SingleAsync(a => a.JobId == waiting.Id);
        var job = await check.Jobs.AsNoTracking().SingleAsync(j => j.Id == waiting.Id);
        Assert.NotEqual(CapacityType.OnPrem, allocation.Market);
        Assert.Equal(JobState.Placed, job.State);
        Assert.InRange(allocation.CreatedAt - job.SubmittedAt, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Contains("max wait", (await PlacementAsync(waiting.Id))!["chosen"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<JsonObject?> PlacementAsync(Guid jobId)
    {
        await using var db = app.NewDbContext();
        var json = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.LatestExplanation).SingleAsync();
        return json is null ? null : JsonNode.Parse(json)!.AsObject();
    }
}
