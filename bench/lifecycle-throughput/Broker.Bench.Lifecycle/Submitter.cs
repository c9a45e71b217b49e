using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Broker.Bench.Lifecycle;

/// <summary>
/// Submits N short cloud jobs through <c>POST /v1/jobs</c> from a few closed-loop workers, as fast as the API takes them
/// (a 429 or 5xx is retried with the same Idempotency-Key, so a retry is the same job).
/// </summary>
public static class Submitter
{
    public static async Task<int> RunAsync(Options options)
    {
        var count = options.Number("count");
        var concurrency = options.Number("concurrency", 16);
        var prefix = options.Text("prefix", "lt");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = new Uri(options.Text("url")),
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Text("key"));
        var next = -1;
        var retries = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var key = $"{prefix}-{i}-{Guid.NewGuid():N}";
                for (var attempt = 1; ; attempt++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = new StringContent(Body($"{prefix}-{i}"), Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await http.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                    var status = (int)response.StatusCode;
                    if ((status != 429 && status < 500) || attempt == 10)
                    {
                        throw new InvalidOperationException($"submit {i}: {status} {await response.Content.ReadAsStringAsync()}");
                    }
                    Interlocked.Increment(ref retries);
                    await Task.Delay(100 * attempt);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submitted={count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submit_s={seconds:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submit_per_s={count / seconds:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submit_retries={retries}"));
        return 0;
    }

    /// <summary>One on-demand T4, one minute estimated (a second on the simulated clouds at time scale 60).</summary>
    private static string Body(string name) => $$$"""
        {"name":"{{{name}}}","gpu":{"count":1,"models":["T4"]},"cpuCores":4,"memoryGb":16,"image":"ghcr.io/acme/train:1.4",
         "command":["sleep","60"],"estimatedDurationMinutes":1,"priority":10,"spot":{"allowed":false}}
        """;
}
