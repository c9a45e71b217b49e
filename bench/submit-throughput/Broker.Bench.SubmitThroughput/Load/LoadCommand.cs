using System.Diagnostics;
using System.Globalization;

namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>One timed run; prints its figures as key=value lines on stdout (run.sh calls it once to warm up, once to measure).</summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var concurrency = options.Number("concurrency", 16);
        var seconds = options.Number("seconds", 20);
        using var client = new SubmitClient(new Uri(options.Text("url")), options.Text("key"), concurrency);
        var runner = new LoadRunner(client, concurrency);
        var tag = Guid.NewGuid().ToString("N")[..10];

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await runner.RunAsync(TimeSpan.FromSeconds(seconds), tag, CancellationToken.None);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        foreach (var sample in result.ErrorSamples)
        {
            await Console.Error.WriteLineAsync("error sample: " + sample);
        }
        Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"""
            concurrency={concurrency}
            seconds={result.Elapsed.TotalSeconds:F2}
            submits={result.Succeeded}
            errors={result.Failed}
            submits_per_s={result.SubmitsPerSecond:F1}
            p50_ms={result.LatencyMs(50):F2}
            p99_ms={result.LatencyMs(99):F2}
            client_cpu_ms={clientCpu.TotalMilliseconds:F0}

            """));
        return 0;
    }
}
