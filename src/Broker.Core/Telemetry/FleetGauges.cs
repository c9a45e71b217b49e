using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Telemetry;

/// <summary>
/// State gauges over the shared PostgreSQL state (one <see cref="FleetSnapshot"/> per ttl, however many replicas and
/// gauges): every replica reports the same global numbers, so aggregate across replicas with <c>max</c>. Label values
/// are bounded by configuration: job states, markets and providers are closed sets; GPU models by the on-prem
/// inventory; teams by the API keys and on-prem mappings ops create.
/// </summary>
public sealed class FleetGauges
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(5);

    private readonly SnapshotCache<FleetSnapshot> cache;

    public FleetGauges(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock, ILogger<FleetGauges> logger, TimeSpan ttl)
    {
        cache = new SnapshotCache<FleetSnapshot>(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<FleetSnapshotReader>().ReadAsync(ct);
        }, FleetSnapshot.Empty, ttl, clock, logger);
        var meter = meters.Create(BrokerTelemetry.Name);
        Gauge(meter, "broker.jobs", "Jobs by state, all replicas (from PostgreSQL)", s => s.Jobs);
        Gauge(meter, "broker.cloud.instances", "Cloud instances running by provider and market", s => s.CloudInstances);
        Gauge(meter, "broker.onprem.gpus", "On-prem GPUs by model and status (used, idle, unavailable)", s => s.OnPremGpus);
        Gauge(meter, "broker.spend.rate.usd_per_hour", "USD per hour of every running segment by team and market (on-prem at its rate)",
            s => s.SpendRate);
        Gauge(meter, "broker.spend.month.usd", "USD in the ledger this UTC month by team and market (as /v1/reports/costs)", s => s.SpendMonth);
        Gauge(meter, "broker.budget.used.ratio", "Committed (spent plus reserved) over the amount of each team's current budget period",
            s => s.BudgetUsed);
    }

    private void Gauge(Meter meter, string name, string description, Func<FleetSnapshot, IReadOnlyList<GaugePoint>> select) =>
        meter.CreateObservableGauge(name, () => select(cache.Get()).Select(p => new Measurement<double>(p.Value, p.Labels)), null, description);
}
