using Broker.Core.Placement;
using Broker.Core.Policies;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// A seeded, realistic-looking snapshot: nodes of 2/4/8 GPUs across six models (most of them busy), offers across three
/// providers and many regions and zones, and a pending queue shaped like the openb trace (mostly 1-GPU jobs, a third with
/// a model constraint, some gangs, deadlines and spot-tolerant batch jobs).
/// </summary>
public static class SyntheticCluster
{
    private static readonly string[] Models = ["T4", "A10G", "L4", "V100-16GB", "V100-32GB", "A100-40GB"];
    private static readonly int[] OfferSizes = [1, 1, 2, 4, 8];
    private static readonly int[] JobSizes = [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8];

    public static PlacementSnapshot Create(int jobs, int nodes, int offers, int seed = 2024)
    {
        var random = new Random(seed);
        var now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var nodeList = new OnPremNode[nodes];
        var running = new List<RunningOnPremJob>();
        for (var i = 0; i < nodes; i++)
        {
            var total = new[] { 2, 4, 8, 8 }[random.Next(4)];
            var idle = random.Next(10) < 8 ? 0 : random.Next(total + 1);
            nodeList[i] = new OnPremNode($"node-{i:00000}", Models[random.Next(Models.Length)], 16, total, idle);
            for (var busy = total - idle; busy > 0;)
            {
                var gpus = Math.Min(busy, 1 + random.Next(busy));
                running.Add(new RunningOnPremJob($"run-{i}-{busy}", $"team-{random.Next(20)}", nodeList[i].Name, gpus,
                    now.AddMinutes(1 + random.Next(24 * 60))));
                busy -= gpus;
            }
        }
        var offerList = new CloudOffer[offers];
        for (var i = 0; i < offers; i++)
        {
            var gpus = OfferSizes[random.Next(OfferSizes.Length)];
            var onDemand = Math.Round((decimal)(0.5 + random.NextDouble() * 3.5) * gpus, 4);
            offerList[i] = new CloudOffer(new[] { "aws", "azure", "gcp" }[i % 3], $"region-{random.Next(30):00}",
                $"zone-{random.Next(4)}", $"type-{i:0000}", Models[random.Next(Models.Length)], gpus, 16, onDemand,
                random.Next(5) == 0 ? null : Math.Round(onDemand * (decimal)(0.15 + random.NextDouble() * 0.4), 4),
                random.NextDouble() * 0.4, random.Next(50) == 0 ? "capacity" : null, random.Next(20) == 0 ? "interrupted" : null);
        }
        var jobList = new PendingJob[jobs];
        for (var i = 0; i < jobs; i++)
        {
            var hours = Math.Exp(random.NextDouble() * 7 - 4);
            var spot = random.Next(10) < 4;
            jobList[i] = new PendingJob($"job-{i:000000}", $"team-{random.Next(20)}", JobSizes[random.Next(JobSizes.Length)],
                random.Next(3) == 0 ? [Models[random.Next(Models.Length)], Models[random.Next(Models.Length)]] : [], 0,
                TimeSpan.FromHours(hours), random.Next(5) == 0 ? now.AddHours(hours * 3 + 0.5) : null, random.Next(3), spot,
                spot && random.Next(2) == 0 ? TimeSpan.FromMinutes(30) : null, null, now.AddMinutes(-random.Next(0, 240)));
        }
        var policy = new BurstPolicy("*", true, [], [], true, TimeSpan.FromMinutes(30), 4m, 0.6m);
        var budgets = Enumerable.Range(0, 5).Select(t => new TeamBudget($"team-{t}", 5000m, 1000m * t)).ToArray();
        var shares = Enumerable.Range(0, 20).Select(t => new TeamShare($"team-{t}", 1 + t % 3, random.Next(50))).ToArray();
        return new PlacementSnapshot(now, jobList, nodeList, running, offerList,
            [policy with { Team = "team-1", AllowedProviders = ["aws"] }, policy with { Team = "team-2", AllowSpot = false }],
            policy, budgets, shares);
    }
}
