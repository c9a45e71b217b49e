using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Chaos;

/// <summary>One job the soak submits: its body and the moment (from the start) it is sent.</summary>
public sealed record SoakJob(int Index, TimeSpan At, string Shape, JsonObject Body);

/// <summary>
/// Jobs of mixed shapes, drawn from the seed: on-prem 1-GPU and multi-GPU (2, 4) jobs that may burst (L4 has a cloud
/// offer), cloud-only 1- and 4-GPU jobs on spot or on-demand, short and longer. Each runs <c>sleep N</c>.
/// </summary>
public static class SoakWorkload
{
    public static IReadOnlyList<SoakJob> Draw(int seed, int count, TimeSpan window)
    {
        var random = new Random(seed * 7919 + 1);
        return [.. Enumerable.Range(0, count).Select(i =>
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
            var body = JobApi.ValidBody($"chaos-{i}-{shape}");
            body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) };
            body["cpuCores"] = 4;
            body["memoryGb"] = 16;
            body["spot"] = new JsonObject { ["allowed"] = spot };
            body["command"] = new JsonArray("sleep", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            body["estimatedDurationMinutes"] = longer ? 2 : 1;
            body.Remove("maxPricePerGpuHour");
            return new SoakJob(i, at, $"{shape}-{(longer ? "long" : "short")}", body);
        })];
    }
}
