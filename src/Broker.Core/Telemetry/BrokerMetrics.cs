using System.Diagnostics.Metrics;
using Broker.Core.Capacity;
using Broker.Core.Placement;
using Broker.Core.Provisioning;

namespace Broker.Core.Telemetry;

/// <summary>
/// Event metrics of this process (each replica counts what it did itself; sum them across replicas). Every label is drawn
/// from a closed set: provider names, operations, markets, decision targets, error kinds and provider error codes (an
/// unknown-looking code is reported as <c>other</c>). Never a job, allocation or instance id.
/// </summary>
public sealed class BrokerMetrics
{
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] WaitBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400];

    private readonly Histogram<double> passDuration;
    private readonly Counter<long> decisions;
    private readonly Histogram<double> queueWait;
    private readonly Histogram<double> providerCall;
    private readonly Counter<long> providerErrors;

    public BrokerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(BrokerTelemetry.Name);
        passDuration = meter.CreateHistogram("broker.placement.pass.duration", "s", "Duration of one placement pass (snapshot, engine, writes)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        decisions = meter.CreateCounter<long>("broker.placement.decisions", null, "Engine decisions by target (onprem, cloud, wait) and market");
        queueWait = meter.CreateHistogram("broker.queue.wait", "s", "Time a job waited as pending before a placement was written",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
        providerCall = meter.CreateHistogram("broker.provider.call.duration", "s", "Latency of each cloud provider call attempt",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        providerErrors = meter.CreateCounter<long>("broker.provider.call.errors", null, "Failed cloud provider call attempts by error kind and code");
    }

    public void PassCompleted(TimeSpan duration, string strategy) =>
        passDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("strategy", strategy));

    public void Decided(PlacementDecision decision)
    {
        var (target, market) = decision switch
        {
            OnPremDecision => ("onprem", "onprem"),
            CloudDecision c => ("cloud", MarketLabel(c.Market)),
            MigrationDecision => ("migrate", "onprem"),
            _ => ("wait", "none"),
        };
        decisions.Add(1, new KeyValuePair<string, object?>("target", target), new KeyValuePair<string, object?>("market", market));
    }

    public void Placed(TimeSpan waited, CapacityType market) =>
        queueWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("market", MarketLabel(market)));

    public void ProviderCall(string provider, string operation, TimeSpan duration, ProviderException? error)
    {
        providerCall.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", error is null ? "ok" : "error"));
        if (error is not null)
        {
            providerErrors.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("operation", operation),
                new KeyValuePair<string, object?>("kind", error.Kind.ToString().ToLowerInvariant()),
                new KeyValuePair<string, object?>("code", BoundedCode(error.ProviderCode)));
        }
    }

    /// <summary>As the API and the cost reports spell a market: <c>onprem</c>, <c>spot</c>, <c>ondemand</c>.</summary>
    public static string MarketLabel(CapacityType market) => market.ToString().ToLowerInvariant();

    /// <summary>
    /// Provider codes are the clouds' own identifiers (<c>InsufficientInstanceCapacity</c>, <c>ZONE_RESOURCE_POOL_EXHAUSTED</c>,
    /// <c>HTTP429</c>): short words. Anything else (a message, an id) becomes <c>other</c> so it cannot grow the series count.
    /// </summary>
    public static string BoundedCode(string code) =>
        code.Length is > 0 and <= 48 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') ? code : "other";
}
