using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Broker.Api.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>, installed by scripts/install-deps.sh) on a free loopback port, scraping
/// one target every second into a throwaway TSDB, asked through its own HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;
    private readonly HttpClient http;

    private PrometheusServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public static async Task<PrometheusServer> StartAsync(string target)
    {
        var directory = Directory.CreateTempSubdirectory("broker-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: broker
                static_configs:
                  - targets: ['{target}']
            """);
        var port = Replicas.ReplicaProcess.FreePort();
        var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, port);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>An instant query: each result series' labels and value.</summary>
    public async Task<IReadOnlyList<(JsonObject Labels, double Value)>> QueryAsync(string promql)
    {
        var body = JsonNode.Parse(await http.GetStringAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative)))!;
        Assert.Equal("success", body["status"]!.GetValue<string>());
        return body["data"]!["result"]!.AsArray().Select(r => (r!["metric"]!.AsObject(),
            double.Parse(r["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The value of a query that yields one series, null while it yields none.</summary>
    public async Task<double?> ScalarAsync(string promql) => (await QueryAsync(promql)) switch
    {
        [] => null,
        [var one] => one.Value,
        var many => throw new InvalidOperationException($"{promql} gave {many.Count} series"),
    };

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "prometheus exited at start-up");
            try
            {
                using var response = await http.GetAsync(new Uri("-/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "prometheus did not become ready");
            await Task.Delay(200);
        }
    }
}
