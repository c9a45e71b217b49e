using Broker.Core.Placement;
using Broker.Core.Policies;

namespace Broker.Core.Tests.Placement;

/// <summary>Seeded synthetic clusters: a mix of models, gang sizes, deadlines and spot tolerance.</summary>
internal static class SyntheticSnapshots
{
    private static readonly string[] Models = ["T4", "A10G", "V100-16GB", "A100-40GB", "L4"];

    public static PlacementSnapshot Create(int seed, int jobs, int nodes, int offers)
    {
        var random = new Random(seed);
        var now = SnapshotBuilder.Now;
        var nodeList = Enumerable.Range(0, nodes).Select(i =>
        {
            var total = new[] { 2, 4, 8 }[random.Next(3)];
            return new OnPremNode($"node-{i:0000}", Models[random.Next(Models.Length)], 16, total, random.Next(total + 1));
        }).ToArray();
        var running = nodeList.Where(n => n.IdleGpus < n.TotalGpus)
            .Select(n => new RunningOnPremJob($"r-{n.Name}", "team-0", n.Name, n.TotalGpus - n.IdleGpus, now.AddMinutes(random.Next(1, 600))))
            .ToArray();
        var offerList = Enumerable.Range(0, offers).Select(i =>
        {
            var gpus = new[] { 1, 4, 8 }[random.Next(3)];
            var onDemand = Math.Round((decimal)(0.4 + random.NextDouble() * 3) * gpus, 4);
            return new CloudOffer(new[] { "aws", "azure", "gcp" }[i % 3], $"region-{random.Next(6)}", null, $"type-{i}",
                Models[random.Next(Models.Length)], gpus, 16, onDemand, random.Next(4) == 0 ? null : Math.Round(onDemand * 0.3m, 4),
                random.NextDouble() * 0.3, random.Next(20) == 0 ? "capacity" : null);
        }).ToArray();
        var jobList = Enumerable.Range(0, jobs).Select(i =>
        {
            var gpus = new[] { 1, 1, 1, 1, 2, 4, 8 }[random.Next(7)];
            var hours = 0.05 + random.NextDouble() * 10;
            return new PendingJob($"job-{i:00000}", $"team-{random.Next(5)}", gpus,
                random.Next(3) == 0 ? [Models[random.Next(Models.Length)]] : [], 0, TimeSpan.FromHours(hours),
                random.Next(5) == 0 ? now.AddHours(hours * 3) : null, random.Next(3), random.Next(2) == 0,
                random.Next(4) == 0 ? TimeSpan.FromMinutes(30) : null, null, now.AddMinutes(-random.Next(0, 120)));
        }).ToArray();
        var policy = new BurstPolicy("*", true, [], [], true, TimeSpan.FromMinutes(30), 5m, 0.6m);
        return new PlacementSnapshot(now, jobList, nodeList, running, offerList, [], policy,
            [new TeamBudget("team-4", 50m, 10m)], [new TeamShare("team-0", 2, 10)]);
    }
}
