using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Broker.Testing;

namespace Broker.Api.Tests.Chaos;

/// <summary>
/// Samples Slurm's own record of the shards in use on every GPU while the soak runs (slurmrestd <c>/jobs</c>, running jobs'
/// <c>gres_detail</c> <c>shard:k(IDX:i)</c>, every second; nothing while slurmrestd is stopped), and the GPUs' shard counts
/// (<c>/nodes</c>, <c>gres</c> <c>gpu:l4:4,shard:16</c>). A GPU with more shards in use than it has is an over-commit
/// whoever caused it.
/// </summary>
public sealed partial class ShardSampler
{
    private readonly ConcurrentDictionary<(string Node, int Gpu), int> peak = new();
    private readonly ConcurrentDictionary<(string Node, int Gpu), DateTimeOffset> peakAt = new();
    private readonly ConcurrentDictionary<string, int> shardsPerGpu = new(StringComparer.Ordinal);

    public int Samples;

    /// <summary>Samples in which at least one shared job was running.</summary>
    public int SamplesWithShares;

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url), Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (shardsPerGpu.IsEmpty)
                {
                    await ReadNodesAsync(http, ct);
                }
                await SampleAsync(http, ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
            try
            {
                await Task.Delay(1000, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Every GPU whose peak of shards in use exceeded its shards, as evidence lines; and the highest peak seen.</summary>
    public (IReadOnlyList<string> Overcommits, int MaxShardsOnOneGpu) Findings()
    {
        var problems = peak.Where(p => p.Value > shardsPerGpu.GetValueOrDefault(p.Key.Node, int.MaxValue))
            .Select(p => $"shards: {p.Key.Node} GPU {p.Key.Gpu} had {p.Value} shards in use of {shardsPerGpu[p.Key.Node]} at {peakAt[p.Key]:O}")
            .ToList();
        return (problems, peak.IsEmpty ? 0 : peak.Values.Max());
    }

    private async Task ReadNodesAsync(HttpClient http, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("slurm/v0.0.38/nodes", UriKind.Relative), ct));
        foreach (var node in document.RootElement.GetProperty("nodes").EnumerateArray())
        {
            var gres = node.GetProperty("gres").GetString() ?? "";
            var gpus = GpuCount().Match(gres);
            var shards = ShardCount().Match(gres);
            if (gpus.Success && shards.Success && int.Parse(gpus.Groups[1].ValueSpan) is > 0 and var whole)
            {
                shardsPerGpu[node.GetProperty("name").GetString()!] = int.Parse(shards.Groups[1].ValueSpan) / whole;
            }
        }
    }

    private async Task SampleAsync(HttpClient http, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("slurm/v0.0.38/jobs", UriKind.Relative), ct));
        var now = DateTimeOffset.UtcNow;
        var inUse = new Dictionary<(string, int), int>();
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            if (job.GetProperty("job_state").GetString() is not ("RUNNING" or "COMPLETING" or "CONFIGURING")
                || job.GetProperty("nodes").GetString() is not { Length: > 0 } node || !job.TryGetProperty("gres_detail", out var details))
            {
                continue;
            }
            foreach (var detail in details.EnumerateArray())
            {
                foreach (Match match in ShardDetail().Matches(detail.GetString() ?? ""))
                {
                    var key = (node, int.Parse(match.Groups[2].ValueSpan));
                    inUse[key] = inUse.GetValueOrDefault(key) + int.Parse(match.Groups[1].ValueSpan);
                }
            }
        }
        Interlocked.Increment(ref Samples);
        if (inUse.Count > 0)
        {
            Interlocked.Increment(ref SamplesWithShares);
        }
        foreach (var (key, shards) in inUse)
        {
            if (shards > peak.GetValueOrDefault(key))
            {
                peak[key] = shards;
                peakAt[key] = now;
            }
        }
    }

    [GeneratedRegex(@"(?:^|,)gpu(?::[^:(,]+)?:([0-9]+)")]
    private static partial Regex GpuCount();

    [GeneratedRegex(@"(?:^|,)shard(?::[^:(,]+)?:([0-9]+)")]
    private static partial Regex ShardCount();

    [GeneratedRegex(@"shard(?::[^:(,]+)?:([0-9]+)\(IDX:([0-9]+)\)")]
    private static partial Regex ShardDetail();
}
