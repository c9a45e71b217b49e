using System.Net;
using System.Net.Sockets;
using System.Text;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Metrics;

/// <summary>
/// An OTLP/HTTP receiver on loopback: records every request's path, content type and body (OTLP protobuf carries metric
/// names as plain UTF-8 strings, so a name found in a body was exported).
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly List<(string Path, string? ContentType, byte[] Body)> received = [];

    public OtlpReceiver()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Received()
    {
        lock (received)
        {
            return [.. received];
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            lock (received)
            {
                received.Add((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public void Dispose() => listener.Close();
}

public sealed class OtlpMetricsApp : BrokerApp
{
    public OtlpReceiver Receiver { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{Receiver.Port}/",
        ["Telemetry:OtlpProtocol"] = "http/protobuf",
        ["Telemetry:OtlpMetricIntervalSeconds"] = "0.5",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Receiver.Dispose();
    }
}

public sealed class OtlpMetricsTests(OtlpMetricsApp app) : IClassFixture<OtlpMetricsApp>
{
    [Fact]
    public async Task Metrics_are_pushed_over_otlp_http_with_brokers_own_gauges_and_the_request_metrics()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        (await ops.GetAsync("/v1/onprem/nodes")).EnsureSuccessStatusCode();

        var metrics = await WaitForAsync(() => app.Receiver.Received().FirstOrDefault(r => r.Path == "/v1/metrics"
            && Contains(r.Body, "http.server.request.duration") && Contains(r.Body, "broker.hangfire.jobs")).Body,
            () => string.Join("; ", app.Receiver.Received().Select(r => $"{r.Path} {r.ContentType} {r.Body.Length} bytes " +
                $"request.duration={Contains(r.Body, "http.server.request.duration")} hangfire={Contains(r.Body, "broker.hangfire.jobs")}")));

        Assert.NotNull(metrics);
        Assert.All(app.Receiver.Received().Where(r => r.Path == "/v1/metrics"), r => Assert.Equal("application/x-protobuf", r.ContentType));
        // Spans go in batches (every 5 s by default) to their own path under the same endpoint.
        await WaitForAsync(() => app.Receiver.Received().FirstOrDefault(r => r.Path == "/v1/traces" && Contains(r.Body, "/v1/onprem/nodes")).Body,
            () => string.Join("; ", app.Receiver.Received().Select(r => r.Path).Distinct()));
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static async Task<byte[]> WaitForAsync(Func<byte[]?> find, Func<string> seen)
    {
        for (var i = 0; i < 150; i++)
        {
            if (find() is { } found)
            {
                return found;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"the expected OTLP export did not arrive in 15 s; received: {seen()}");
    }
}
