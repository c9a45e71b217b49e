using System.Diagnostics;

namespace Broker.Core.Telemetry;

/// <summary>
/// Names Broker's own telemetry goes out under. Core only uses System.Diagnostics (ActivitySource, Meter); the host decides
/// what is exported and where (Broker.Api's Hosting/Telemetry.cs).
/// </summary>
public static class BrokerTelemetry
{
    /// <summary>The ActivitySource of placement passes and provider calls, and the name of Broker's meters.</summary>
    public const string Name = "Broker";

    /// <summary>Spans: <c>placement.pass</c>, <c>provider.create</c>, <c>provider.terminate</c>, <c>provider.list</c>.</summary>
    public static readonly ActivitySource Source = new(Name);
}
