using System.Diagnostics;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Broker.Api.Tests.Metrics;

/// <summary>
/// The API with an OTLP endpoint configured (nothing listens there; export failures are only logged) and an in-memory
/// exporter beside it, to see the spans the app's own tracing set-up produces.
/// </summary>
public sealed class TracingApp : BrokerApp
{
    public List<Activity> Spans { get; } = [];

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9/",
    };

    protected override void OverrideServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (Spans)
        {
            return [.. Spans];
        }
    }
}

public sealed class TracingTests(TracingApp app) : IClassFixture<TracingApp>
{
    [Fact]
    public async Task A_provider_call_is_a_client_span_named_after_its_operation_and_provider()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var clouds = scope.ServiceProvider.GetRequiredService<ComputeProviders>();
            await clouds.Get("aws").ListManagedAsync(default);
        }

        var span = Assert.Single(app.Snapshot(), s => s.DisplayName == "provider.list" && Equals(s.GetTagItem("broker.provider"), "aws"));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("Broker", span.Source.Name);
    }

    [Fact]
    public async Task A_request_is_a_server_span_with_its_database_commands_as_children()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var response = await ops.GetAsync("/v1/onprem/nodes");
        response.EnsureSuccessStatusCode();

        var server = await WaitForAsync(() => app.Snapshot().LastOrDefault(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("http.route"), "/v1/onprem/nodes")));
        Assert.Contains(app.Snapshot(), s => s.TraceId == server.TraceId && s.Source.Name == "Npgsql" && s.ParentSpanId != default);
    }

    private static async Task<Activity> WaitForAsync(Func<Activity?> find)
    {
        for (var i = 0; i < 50; i++)
        {
            if (find() is { } found)
            {
                return found;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("the span did not arrive");
    }
}
