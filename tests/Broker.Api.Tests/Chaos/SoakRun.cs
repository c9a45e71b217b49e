using System.Collections.Concurrent;
using System.Diagnostics;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Providers.Tests.Aws.Fake;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Chaos;

/// <summary>Submits the workload, carries out the fault schedule meanwhile, then waits for every job to end.</summary>
public sealed class SoakRun(SoakCluster cluster, IReadOnlyList<SoakJob> jobs, IReadOnlyList<Fault> faults)
{
    private readonly Stopwatch clock = new();
    private readonly TakeoverTracker takeovers = new(cluster);

    public ConcurrentQueue<string> Timeline { get; } = new();

    public ConcurrentDictionary<FaultKind, int> Injected { get; } = new();

    public ConcurrentBag<Guid> JobIds { get; } = [];

    public int SubmitFailures;

    public IReadOnlyList<double> TakeoverSeconds => takeovers.Seconds;

    public int TakeoversMissing => takeovers.Missing;

    private static readonly Dictionary<string, string> SlurmDir = new() { ["BROKER_SLURM_DIR"] = SlurmServer.Directory };

    /// <summary>Slurm's shards in use per GPU, sampled from the start of the run to the end of the drain.</summary>
    public ShardSampler Shards { get; } = new();

    public async Task RunAsync(TimeSpan drainTimeout)
    {
        clock.Start();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() => Shards.RunAsync(sampling.Token));
        var faulting = Task.WhenAll(faults.Select(InjectAsync));
        await SubmitAllAsync();
        await faulting;
        Note($"submitted {JobIds.Count} jobs; all faults over");
        await DrainAsync(drainTimeout);
        await sampling.CancelAsync();
        await sampler;
        await takeovers.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private void Note(string what) => Timeline.Enqueue($"{clock.Elapsed.TotalSeconds,7:0.0}s {what}");

    private async Task SubmitAllAsync()
    {
        await Task.WhenAll(jobs.Select(async job =>
        {
            await DelayUntil(job.At);
            for (var attempt = 0; attempt < 30; attempt++)
            {
                using var client = cluster.ClientFor(job.Index);
                if (client is not null)
                {
                    try
                    {
                        // One idempotency key per job: a retry after a lost answer (a replica killed mid-request) is the same job.
                        using var response = await JobApi.PostAsync(client, job.Body, $"chaos-{job.Index}");
                        if (response.IsSuccessStatusCode)
                        {
                            JobIds.Add(Guid.Parse((await JobApi.ReadAsync(response)).Id()));
                            return;
                        }
                        if ((int)response.StatusCode < 500)
                        {
                            Note($"job {job.Index} refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                            Interlocked.Increment(ref SubmitFailures);
                            return;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }
                }
                await Task.Delay(1000);
            }
            Note($"job {job.Index} never accepted");
            Interlocked.Increment(ref SubmitFailures);
        }));
    }

    private async Task InjectAsync(Fault fault)
    {
        await DelayUntil(fault.At);
        var done = await InjectOneAsync(fault);
        if (done)
        {
            Injected.AddOrUpdate(fault.Kind, 1, (_, n) => n + 1);
        }
    }

    private async Task<bool> InjectOneAsync(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.ReplicaKill:
                var target = Enumerable.Range(0, cluster.Count).Select(i => (fault.Target + i) % cluster.Count).FirstOrDefault(cluster.IsUp, -1);
                if (target < 0 || Enumerable.Range(0, cluster.Count).Count(cluster.IsUp) < 2)
                {
                    Note("replica kill skipped: fewer than two replicas up");
                    return false;
                }
                var pid = cluster.ProcessIdOf(target)!.Value;
                var snapshot = await takeovers.SnapshotAsync(pid);
                await cluster.KillReplicaAsync(target);
                takeovers.Track(snapshot);
                Note($"SIGKILL replica-{target} (pid {pid}, {snapshot.InFlight.Count} Hangfire jobs in flight); restart in {fault.Length.TotalSeconds:0}s");
                await Task.Delay(fault.Length);
                await cluster.StartReplicaAsync(target);
                Note($"replica-{target} ready again (pid {cluster.ProcessIdOf(target)})");
                return true;
            case FaultKind.PostgresRestart:
                Note($"PostgreSQL stop for {fault.Length.TotalSeconds:0}s");
                await cluster.StopDatabaseAsync();
                await Task.Delay(fault.Length);
                await cluster.StartDatabaseAsync();
                Note("PostgreSQL up");
                return true;
            case FaultKind.SlurmrestdStop:
                Note($"slurmrestd stop for {fault.Length.TotalSeconds:0}s");
                await FaultJobs.RunScriptAsync("slurm.sh", SlurmDir, "stop-rest");
                try
                {
                    await Task.Delay(fault.Length);
                }
                finally
                {
                    await FaultJobs.RunScriptAsync("slurm.sh", SlurmDir, "start-rest");
                }
                Note("slurmrestd up");
                return true;
            case FaultKind.CapacityError:
                cluster.Ec2.Faults.Inject("RunInstances", "InsufficientInstanceCapacity", times: 2);
                Note("EC2: next 2 RunInstances answer InsufficientInstanceCapacity");
                return true;
            case FaultKind.Throttling:
                cluster.Ec2.Faults.Inject("RunInstances", "RequestLimitExceeded", times: 3);
                cluster.Ec2.Faults.Inject("DescribeInstances", "RequestLimitExceeded", times: 3);
                Note("EC2: throttling burst (3 RunInstances, 3 DescribeInstances)");
                return true;
            case FaultKind.LostCreate:
                cluster.Ec2.Faults.LoseResponse("RunInstances", LostResponse.AbortConnection);
                Note("EC2: next RunInstances is carried out and its answer lost");
                return true;
            case FaultKind.SpotInterruption:
                return await OncePerSecondAsync(20, () => cluster.Agent.InterruptSpotAsync(CancellationToken.None),
                    "spot instance interrupted", "spot interruption skipped: no running spot instance");
            case FaultKind.GangSpotInterruption:
                // A spot gang runs for seconds only: wait longer for one than for a lone spot instance.
                return await OncePerSecondAsync(60, () => cluster.Agent.InterruptGangMemberAsync(CancellationToken.None),
                    "one member of a spot gang interrupted", "gang interruption skipped: no running spot gang");
            case FaultKind.DuplicateCallback:
                cluster.Agent.SendDuplicates(3);
                Note("next 3 callbacks posted twice");
                return true;
            case FaultKind.LateCallback:
                cluster.Agent.SendLate(2);
                Note("next 2 finished instances post stale callbacks later");
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault));
        }
    }

    /// <summary>
    /// A fault that needs a target running (a spot instance to interrupt): <paramref name="attempt"/> once a second until it
    /// finds one, at most <paramref name="tries"/> times, noting which way it went.
    /// </summary>
    private async Task<bool> OncePerSecondAsync(int tries, Func<Task<bool>> attempt, string done, string skipped)
    {
        for (var i = 0; i < tries; i++)
        {
            if (await attempt())
            {
                Note(done);
                return true;
            }
            await Task.Delay(1000);
        }
        Note(skipped);
        return false;
    }

    private async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var ids = JobIds.ToList();
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using var db = cluster.NewDbContext();
                var open = await db.Jobs.CountAsync(j => ids.Contains(j.Id) && j.State != JobState.Succeeded && j.State != JobState.Failed
                    && j.State != JobState.Cancelled);
                var live = await db.Allocations.CountAsync(a => a.State != AllocationState.Closed);
                if (open == 0 && live == 0)
                {
                    Note("every job ended and every allocation closed");
                    return;
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
            }
            await Task.Delay(1000);
        }
        Note("drain timed out");
    }

    private async Task DelayUntil(TimeSpan at)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
