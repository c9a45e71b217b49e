using Broker.Core.Placement;
using Broker.Core.Policies;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// A queue of quarter-GPU jobs (ADR 0011) waiting on a small fully busy cluster of shardable GPUs, no cloud: every job is
/// booked as a future tenant of some shared GPU, so each GPU's plan grows with the queue (the wait estimate's worst case).
/// </summary>
public static class SharedQueueCluster
{
    public static PlacementSnapshot Create(int queued, int seed = 2024)
    {
        var random = new Random(seed);
        var now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var nodes = new List<OnPremNode>();
        var running = new List<RunningOnPremJob>();
        for (var n = 0; n < 16; n++)
        {
            nodes.Add(new OnPremNode($"node-{n:00}", "T4", 16, 8, 0, ShardsPerGpu: 4));
            for (var g = 0; g < 8; g++)
            {
                running.Add(new RunningOnPremJob($"run-{n}-{g}", "team-0", $"node-{n:00}", 1, now.AddMinutes(10 + random.Next(600))));
            }
        }
        var jobs = Enumerable.Range(0, queued)
            .Select(i => new PendingJob($"job-{i:000000}", $"team-{random.Next(4)}", 1, [], 0, TimeSpan.FromMinutes(5 + random.Next(120)),
                null, 0, false, null, null, now.AddMinutes(-random.Next(60)), GpuShare: 0.25m))
            .ToArray();
        var policy = new BurstPolicy("*", false, [], [], true, TimeSpan.FromMinutes(30), 4m, 0.6m);
        return new PlacementSnapshot(now, jobs, nodes, running, [], [], policy, [], []);
    }
}
