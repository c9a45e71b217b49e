using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>
/// Closed-loop load: each worker submits, waits for the answer and submits again until the duration is over. A submit
/// started before the end is waited for and counted; throughput is counted over the time until the last one returned.
/// </summary>
internal sealed class LoadRunner(SubmitClient client, int workers)
{
    private const int MaxErrorSamples = 5;

    public async Task<LoadResult> RunAsync(TimeSpan duration, string tag, CancellationToken ct)
    {
        var samples = new ConcurrentQueue<string>();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, workers)
            .Select(w => Task.Run(() => WorkAsync(w, tag, deadline, samples, ct), ct)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
        return new LoadResult(latencies.Length, results.Sum(r => r.Failed), elapsed, latencies, [.. samples]);
    }

    private async Task<(List<long> Latencies, long Failed)> WorkAsync(
        int worker, string tag, long deadline, ConcurrentQueue<string> samples, CancellationToken ct)
    {
        var latencies = new List<long>(4096);
        long failed = 0;
        for (var n = 0; Stopwatch.GetTimestamp() < deadline; n++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{tag}-{worker}-{n}");
            var begin = Stopwatch.GetTimestamp();
            var (status, problem) = await client.SubmitAsync("bench-" + id, id, ct);
            var took = Stopwatch.GetTimestamp() - begin;
            if (problem is null)
            {
                latencies.Add(took);
                continue;
            }
            failed++;
            if (samples.Count < MaxErrorSamples)
            {
                samples.Enqueue(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}: {problem}"));
            }
        }
        return (latencies, failed);
    }
}
