using System.Globalization;
using System.Text;
using Broker.Api.Tests.Lifecycle;
using Xunit.Abstractions;

namespace Broker.Api.Tests.Chaos;

/// <summary>
/// The seeded chaos soak (issue 15): three real Broker processes with Hangfire on one PostgreSQL, the real Slurm cluster and
/// one shared EC2 loopback fake; jobs of mixed shapes over a submit window while the seed's faults land; then the invariant
/// checker. In the suite: a one-minute window, fixed seed. <c>bench/chaos-soak/run.sh</c> runs the same test with
/// <c>BROKER_CHAOS_MINUTES</c> / <c>BROKER_CHAOS_SEED</c> and prints the figures of <c>BROKER_CHAOS_REPORT</c> last.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ChaosSoakTests(ITestOutputHelper output)
{
    private static double Minutes => double.Parse(Environment.GetEnvironmentVariable("BROKER_CHAOS_MINUTES") ?? "1", CultureInfo.InvariantCulture);

    private static int Seed => int.Parse(Environment.GetEnvironmentVariable("BROKER_CHAOS_SEED") ?? "21", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Three_replicas_under_seeded_faults_leak_nothing_double_allocate_nothing_lose_no_job_and_keep_Slurms_times()
    {
        var window = TimeSpan.FromMinutes(Minutes);
        var long_ = Minutes >= 5;
        var jobs = SoakWorkload.Draw(Seed, Environment.GetEnvironmentVariable("BROKER_CHAOS_JOBS") is { } n
            ? int.Parse(n, CultureInfo.InvariantCulture) : (int)Math.Round(1000 / 15.0 * Minutes), window);
        var faults = FaultSchedule.Draw(Seed, window, 3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(long_ ? 90 : 35));

        await using var cluster = await SoakCluster.StartAsync(3, Seed);
        var run = new SoakRun(cluster, jobs, faults);
        await run.RunAsync(drainTimeout: TimeSpan.FromSeconds(long_ ? 600 : 100));
        // One GC grace (orphan grace 10 s) and two reconcile rounds, so what the GC would still collect is not counted.
        await Task.Delay(TimeSpan.FromSeconds(16));
        var found = await SoakChecker.CheckAsync(cluster, [.. run.JobIds], run.Shards);

        var report = Report(run, found, jobs.Count);
        foreach (var line in run.Timeline.Concat(found.Evidence.Take(50)))
        {
            output.WriteLine(line);
        }
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("BROKER_CHAOS_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, string.Join('\n', run.Timeline.Concat(found.Evidence)) + "\n" + report);
            await File.WriteAllTextAsync(path + ".replicas.log", cluster.FullLogs());
        }
        var context = $"seed {Seed}, {Minutes} min\n{string.Join('\n', found.Evidence.Take(20))}\n{string.Join('\n', run.Timeline)}\n{cluster.Logs(20)}";
        Assert.True(found.LeakedInstances == 0, "leaked instances: " + context);
        Assert.True(found.DoubleAllocations == 0, "double allocations: " + context);
        Assert.True(found.LostJobs == 0, "lost jobs: " + context);
        Assert.True(found.TimeMismatches == 0, "time mismatches: " + context);
        Assert.True(found.LedgerMismatches == 0, "ledger mismatches: " + context);
        Assert.True(run.SubmitFailures == 0, "submissions failed: " + context);
        Assert.True(found.Gangs.GangViolations == 0, "gang violations: " + context);
        // Of an interrupted spot gang only the member the cloud reclaimed is waived; the ones Broker terminated are billed.
        Assert.True(found.GangMembersWaivedUnreclaimed == 0, "gang members waived that the cloud did not reclaim: " + context);
        Assert.True(found.Gangs.ShardOvercommits == 0, "GPUs with more shards in use than they have: " + context);
        // The checks looked at something: jobs ran to success on both sides, Slurm's times were compared, faults landed.
        Assert.True(found.Succeeded > jobs.Count * 3 / 4, $"only {found.Succeeded} of {jobs.Count} jobs succeeded: " + context);
        Assert.True(found.TimesCompared > 0, "no on-prem segment was compared with Slurm's record");
        Assert.True(found.SegmentsPriced > found.Succeeded / 2 && found.LifetimesBilled > found.Succeeded / 2,
            $"only {found.SegmentsPriced} segments were priced, {found.LifetimesBilled} checked against their lifetimes");
        // Gangs ran on both sides and every member of each was billed; shared jobs ran while Slurm's shards were sampled.
        Assert.True(found.Gangs.CloudGangsRun > 0 && found.Gangs.OnPremGangsRun > 0,
            $"gangs run: {found.Gangs.CloudGangsRun} cloud, {found.Gangs.OnPremGangsRun} on-prem: " + context);
        Assert.True(found.GangMembersBilled >= 2 * found.Gangs.GangsRun,
            $"only {found.GangMembersBilled} gang members billed for {found.Gangs.GangsRun} gangs run");
        Assert.True(found.Gangs.SharesRun > 0 && found.Gangs.ShardSamples > 0 && found.Gangs.MaxShardsOnOneGpu > 0,
            $"shares run {found.Gangs.SharesRun}, samples with shards in use {found.Gangs.ShardSamples}");
        Assert.True(run.Injected.GetValueOrDefault(FaultKind.ReplicaKill) > 0 && run.Injected.GetValueOrDefault(FaultKind.PostgresRestart) > 0
            && run.Injected.GetValueOrDefault(FaultKind.SlurmrestdStop) > 0, "the outages were not injected: " + context);
    }

    private static string Report(SoakRun run, SoakFindings found, int planned)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"seed={Seed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"minutes={Minutes}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jobs_planned={planned}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jobs_succeeded={found.Succeeded}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jobs_failed={found.Failed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jobs_queued={found.Queued}");
        text.AppendLine(CultureInfo.InvariantCulture, $"times_compared={found.TimesCompared}");
        text.AppendLine(CultureInfo.InvariantCulture, $"takeovers_measured={run.TakeoverSeconds.Count}");
        text.AppendLine(CultureInfo.InvariantCulture, $"takeovers_missing={run.TakeoversMissing}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jobs={run.JobIds.Count}");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"faults_injected_{Snake(kind)}={run.Injected.GetValueOrDefault(kind)}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"leaked_instances={found.LeakedInstances}");
        text.AppendLine(CultureInfo.InvariantCulture, $"double_allocations={found.DoubleAllocations}");
        text.AppendLine(CultureInfo.InvariantCulture, $"lost_jobs={found.LostJobs}");
        text.AppendLine(CultureInfo.InvariantCulture, $"time_mismatches={found.TimeMismatches}");
        text.AppendLine(CultureInfo.InvariantCulture, $"segments_priced={found.SegmentsPriced}");
        text.AppendLine(CultureInfo.InvariantCulture, $"lifetimes_billed={found.LifetimesBilled}");
        text.AppendLine(CultureInfo.InvariantCulture, $"ledger_mismatches={found.LedgerMismatches}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gangs_run={found.Gangs.GangsRun}");
        text.AppendLine(CultureInfo.InvariantCulture, $"cloud_gangs_run={found.Gangs.CloudGangsRun}");
        text.AppendLine(CultureInfo.InvariantCulture, $"onprem_gangs_run={found.Gangs.OnPremGangsRun}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gang_interruptions={found.Gangs.GangInterruptions}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gang_members_billed={found.GangMembersBilled}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gang_members_waived_unreclaimed={found.GangMembersWaivedUnreclaimed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gang_members_reclaimed_waived={found.GangMembersReclaimedWaived}");
        text.AppendLine(CultureInfo.InvariantCulture, $"gang_violations={found.Gangs.GangViolations}");
        text.AppendLine(CultureInfo.InvariantCulture, $"shares_run={found.Gangs.SharesRun}");
        text.AppendLine(CultureInfo.InvariantCulture, $"shard_samples={found.Gangs.ShardSamples}");
        text.AppendLine(CultureInfo.InvariantCulture, $"max_shards_on_one_gpu={found.Gangs.MaxShardsOnOneGpu}");
        text.AppendLine(CultureInfo.InvariantCulture, $"shard_overcommits={found.Gangs.ShardOvercommits}");
        text.Append(CultureInfo.InvariantCulture, $"takeover_p95_s={P95(run.TakeoverSeconds):0.0}");
        return text.ToString();
    }

    private static double P95(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(0.95 * sorted.Count) - 1)];
    }

    private static string Snake(FaultKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
