using System.Diagnostics.Metrics;
using Broker.Core.Telemetry;
using Hangfire;

namespace Broker.Api.Hosting;

/// <summary>
/// Hangfire's queue depth per queue and its jobs by state (failed ones stay until deleted or retried by hand), read from
/// its PostgreSQL storage at most once per ttl. Shared state: every replica reports the same numbers (aggregate with max).
/// </summary>
public sealed class HangfireGauges
{
    public const string MeterName = "Broker.Hangfire";

    private readonly SnapshotCache<Snapshot> cache;

    public HangfireGauges(IMeterFactory meters, JobStorage storage, TimeProvider clock, ILogger<HangfireGauges> logger, TimeSpan ttl)
    {
        cache = new SnapshotCache<Snapshot>(_ => Task.FromResult(Read(storage)), Snapshot.Empty, ttl, clock, logger);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("broker.hangfire.queue.depth", () => cache.Get().Queues, null, "Jobs enqueued per Hangfire queue");
        meter.CreateObservableGauge("broker.hangfire.jobs", () => cache.Get().States, null,
            "Hangfire jobs by state: enqueued, scheduled, processing, failed (failed jobs are kept until deleted or requeued)");
    }

    private static Snapshot Read(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var queues = monitoring.Queues().Select(q => new Measurement<long>(q.Length, new KeyValuePair<string, object?>("queue", q.Name))).ToList();
        var states = new (string, long)[] { ("enqueued", stats.Enqueued), ("scheduled", stats.Scheduled), ("processing", stats.Processing), ("failed", stats.Failed) }
            .Select(s => new Measurement<long>(s.Item2, new KeyValuePair<string, object?>("state", s.Item1))).ToList();
        return new Snapshot(queues, states);
    }

    private sealed record Snapshot(IReadOnlyList<Measurement<long>> Queues, IReadOnlyList<Measurement<long>> States)
    {
        public static Snapshot Empty { get; } = new([], []);
    }
}
