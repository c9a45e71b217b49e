using OpenTelemetry.Exporter;

namespace Broker.Api.Hosting;

/// <summary>
/// Where OTLP goes: <c>Telemetry:OtlpEndpoint</c> (or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), over gRPC unless
/// <c>Telemetry:OtlpProtocol</c> (or <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>) says <c>http/protobuf</c>. Over HTTP each signal
/// posts to its own path under the base endpoint (<c>/v1/metrics</c>, <c>/v1/traces</c>), as the OTLP specification
/// derives them; metrics are pushed every <c>Telemetry:OtlpMetricIntervalSeconds</c> (60 by default).
/// </summary>
public sealed record OtlpTarget(Uri Endpoint, OtlpExportProtocol Protocol, int MetricIntervalMs)
{
    public static OtlpTarget? From(IConfiguration configuration)
    {
        var endpoint = configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } own ? own : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }
        var protocol = (configuration["Telemetry:OtlpProtocol"] ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"Telemetry:OtlpProtocol '{other}' is neither grpc nor http/protobuf."),
        };
        var seconds = configuration.GetValue("Telemetry:OtlpMetricIntervalSeconds", 60.0);
        if (seconds is <= 0 or > 3600)
        {
            throw new InvalidOperationException("Telemetry:OtlpMetricIntervalSeconds is between 0 and 3600.");
        }
        return new OtlpTarget(new Uri(endpoint), protocol, (int)Math.Ceiling(seconds * 1000));
    }

    public void Apply(OtlpExporterOptions options, string signal)
    {
        options.Protocol = Protocol;
        options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(Endpoint, Endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal)
            : Endpoint;
    }
}
