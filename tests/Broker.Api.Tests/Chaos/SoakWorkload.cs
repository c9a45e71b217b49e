using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Chaos;

/// <summary>One job the soak submits: its body and the moment (from the start) it is sent.</summary>
public sealed record SoakJob(int Index, TimeSpan At, string Shape, JsonObject Body);

/// <summary>
/// Jobs of mixed shapes, drawn from the seed: on-prem 1-GPU and multi-GPU (2, 4) jobs that may burst (L4 has a cloud
/// offer), cloud-only 1- and 4-GPU jobs on spot or on-demand, short and longer; then, from a second stream of the same
/// seed (so the first mix stays what it was), gangs and shared GPUs (ADR 0011, 0012): cloud gangs of 16 T4 or A10G (2 x 8-GPU
/// instances, spot or on-demand), on-prem gangs over two nodes (16 H100 or 8 A100-40GB), and quarter or half GPUs on the
/// shardable L4 and H100 nodes. Each runs <c>sleep N</c>.
/// </summary>
public static class SoakWorkload
{
    /// <summary>Per minute of submit window (at least the minimum each): cloud gangs, on-prem gangs, shared jobs.</summary>
    private const double CloudGangsPerMinute = 2, OnPremGangsPerMinute = 1, SharesPerMinute = 4;

    public static IReadOnlyList<SoakJob> Draw(int seed, int count, TimeSpan window) =>
        [.. Mixed(seed, count, window), .. GangsAndShares(seed, count, window)];

    private static IEnumerable<SoakJob> GangsAndShares(int seed, int first, TimeSpan window)
    {
        var random = new Random(seed * 104_729 + 3);
        var minutes = window.TotalMinutes;
        var shapes = new List<string>();
        var cloudGangs = Math.Max(2, (int)Math.Round(CloudGangsPerMinute * minutes));
        // The first cloud gang is on spot, so that the gang interruption fault has one to hit; the second on-demand.
        shapes.AddRange(Enumerable.Range(0, cloudGangs).Select(i => i switch { 0 => "cloud-gang-spot", 1 => "cloud-gang-ondemand",
            _ => random.Next(2) == 0 ? "cloud-gang-spot" : "cloud-gang-ondemand" }));
        shapes.AddRange(Enumerable.Repeat("onprem-gang", Math.Max(2, (int)Math.Round(OnPremGangsPerMinute * minutes))));
        shapes.AddRange(Enumerable.Repeat("share", Math.Max(4, (int)Math.Round(SharesPerMinute * minutes))));
        var index = first;
        // On-prem gangs alternate between the two H100 nodes and the two A100-40GB nodes, from a seeded start.
        var (onPremGangs, firstOnPremGang) = (0, random.Next(2));
        foreach (var shape in shapes)
        {
            // Gangs in the first 60 % of the window, so that a spot gang runs while the faults land; shares anywhere.
            var at = window * (shape == "share" ? 0.9 : 0.6) * random.NextDouble();
            // A cloud gang runs long enough for the gang interruption to find it running (instances cost nothing here).
            var seconds = shape.StartsWith("cloud-gang", StringComparison.Ordinal) ? random.Next(15, 30) : random.Next(3, 10);
            var (models, gpus, share, spot) = shape switch
            {
                "cloud-gang-spot" => (new[] { random.Next(2) == 0 ? "A10G" : "T4" }, 16, (double?)null, true),
                "cloud-gang-ondemand" => (new[] { random.Next(2) == 0 ? "A10G" : "T4" }, 16, null, false),
                "onprem-gang" => onPremGangs++ % 2 == firstOnPremGang ? (new[] { "H100-80GB" }, 16, null, false) : (new[] { "A100-40GB" }, 8, null, false),
                _ => (new[] { random.Next(2) == 0 ? "L4" : "H100-80GB" }, 1, random.Next(2) == 0 ? 0.25 : 0.5, false),
            };
            var gpu = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) };
            if (share is { } part)
            {
                gpu["share"] = part;
            }
            var job = Job(index++, at, shape, gpu, spot, seconds, longer: false);
            if (shape == "onprem-gang")
            {
                // Below every cloud price of these GPUs (the on-prem rate is 1.2/GPU-hour): the gang waits for its nodes
                // instead of bursting after the burst wait (an A100-40GB x 8 would fit one p4d).
                job.Body["maxPricePerGpuHour"] = 1.5;
            }
            else if (shape == "share")
            {
                // Below the one-GPU cloud instances (g6.xlarge 0.80/h): a share waits for a shard on-prem rather than burst.
                job.Body["maxPricePerGpuHour"] = 0.7;
            }
            yield return job;
        }
    }

    private static SoakJob Job(int index, TimeSpan at, string shape, JsonObject gpu, bool spot, int seconds, bool longer)
    {
        var body = JobApi.ValidBody($"chaos-{index}-{shape}");
        body["gpu"] = gpu;
        body["cpuCores"] = 4;
        body["memoryGb"] = 16;
        body["spot"] = new JsonObject { ["allowed"] = spot };
        body["command"] = new JsonArray("sleep", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        body["estimatedDurationMinutes"] = longer ? 2 : 1;
        body.Remove("maxPricePerGpuHour");
        return new SoakJob(index, at, $"{shape}-{(longer ? "long" : "short")}", body);
    }

    private static IEnumerable<SoakJob> Mixed(int seed, int count, TimeSpan window)
    {
        var random = new Random(seed * 7919 + 1);
        return Enumerable.Range(0, count).Select(i =>
        {
            var at = window * 0.9 * i / count;
            var longer = random.NextDouble() < 0.2 && at < window * 0.6;
            var seconds = longer ? random.Next(15, 26) : random.Next(2, 9);
            var roll = random.NextDouble();
            var (shape, models, gpus, spot) = roll switch
            {
                < 0.40 => ("onprem-1gpu", new[] { "H100-80GB", "A100-80GB", "A100-40GB" }, 1, false),
                < 0.55 => ("onprem-multi", new[] { "H100-80GB", "A100-80GB" }, random.Next(2) == 0 ? 2 : 4, false),
                < 0.65 => ("l4-may-burst", new[] { "L4" }, 1, random.Next(2) == 0),
                < 0.80 => ("cloud-spot", new[] { random.Next(2) == 0 ? "A10G" : "T4" }, random.Next(4) == 0 ? 4 : 1, true),
                _ => ("cloud-ondemand", new[] { random.Next(2) == 0 ? "A10G" : "T4" }, random.Next(4) == 0 ? 4 : 1, false),
            };
            return Job(i, at, shape, new JsonObject { ["count"] = gpus, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) },
                spot, seconds, longer);
        });
    }
}
