using Broker.Api.Auth;
using Broker.Core.Telemetry;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Broker.Api.Hosting;

/// <summary>
/// Metrics and traces through OpenTelemetry. Metrics: Broker's own meter (event counters of this replica, state gauges
/// over PostgreSQL), ASP.NET Core's request metrics and Hangfire's queues, served at <c>/metrics</c> in Prometheus text
/// format (who may scrape: <see cref="MetricsAccess"/>). Traces (HTTP in and out, Npgsql commands, that is every EF Core
/// query, placement passes and provider calls) are collected, and both metrics and traces are exported over OTLP, only when
/// <c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (<see cref="OtlpTarget"/>).
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddBrokerTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var access = MetricsAccess.From(configuration);
        services.AddSingleton(access);
        services.AddSingleton<BrokerMetrics>();
        services.AddScoped<FleetSnapshotReader>();
        var ttl = configuration.GetValue("Metrics:SnapshotTtl", FleetGauges.DefaultTtl);
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<FleetGauges>(sp, ttl));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<HangfireGauges>(sp, ttl));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler>(sp => new MetricsScrapeRequirement(access));
        services.AddAuthorizationBuilder().AddPolicy(MetricsAccess.Policy, p => p.AddRequirements(new MetricsScrapeRequirement(access)));
        if (access.Port is { } port)
        {
            builder.WebHost.UseUrls([.. ServerUrls(builder.WebHost), $"http://{access.Host}:{port}"]);
        }

        var otlp = OtlpTarget.From(configuration);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["Telemetry:ServiceName"] ?? "broker"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(BrokerTelemetry.Name, HangfireGauges.MeterName).AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        otlp.Apply(exporter, "metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.MetricIntervalMs;
                    });
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(BrokerTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsQuiet(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => otlp.Apply(o, "traces")));
        }
        return builder;
    }

    /// <summary>On a metrics port of its own, everything but <c>/metrics</c> answers 404 there.</summary>
    public static WebApplication UseBrokerMetricsPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<MetricsAccess>().Port is { } port)
        {
            app.Use((http, next) =>
            {
                if (http.Connection.LocalPort == port && !http.Request.Path.Equals(MetricsAccess.Path, StringComparison.Ordinal))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                return next(http);
            });
        }
        return app;
    }

    public static WebApplication MapBrokerMetrics(this WebApplication app)
    {
        // The gauges exist once their owners do: create them before the first scrape.
        app.Services.GetRequiredService<FleetGauges>();
        app.Services.GetRequiredService<HangfireGauges>();
        var access = app.Services.GetRequiredService<MetricsAccess>();
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsAccess.Path);
        if (access.Port is { } port)
        {
            endpoint.RequireHost($"*:{port}").AllowAnonymous().WithMetadata(new WithoutApiKey());
        }
        else
        {
            endpoint.RequireAuthorization(MetricsAccess.Policy);
        }
        return app;
    }

    private static bool IsQuiet(PathString path) =>
        path.StartsWithSegments(MetricsAccess.Path, StringComparison.Ordinal) || path.StartsWithSegments("/health", StringComparison.Ordinal);

    /// <summary>The URLs the server would listen on without a metrics port (UseUrls replaces them, so they are kept).</summary>
    private static string[] ServerUrls(IWebHostBuilder host)
    {
        if (host.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (host.GetSetting("HTTP_PORTS") is { Length: > 0 } ports)
        {
            return [.. ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")];
        }
        return ["http://localhost:5000"];
    }
}
