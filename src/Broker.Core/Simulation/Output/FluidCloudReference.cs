using Broker.Core.Capacity;
using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Output;

/// <summary>
/// How little cloud a trace needs at best (issue 13): a clairvoyant, fluid reference that no real schedule beats except by
/// waiting. Every job runs from its submit for exactly its real duration; at each moment the on-prem GPUs (all acceptable
/// models pooled, shares as fractions of a GPU) go to the running jobs whose cheapest cloud price per GPU-hour is highest,
/// moved freely between jobs, and the rest of the demand pays that cheapest price: the whole instances the job needs of one
/// offer its policy allows (provider, region, price cap per GPU as the engine reads it), spot where the job tolerates
/// interruptions and its team's policy allows spot, always available and never interrupted; no start-up or minimum billing.
/// Jobs whose team may not burst or has a budget (which may refuse it), or that no allowed offer holds, are left out (they can
/// only wait, which costs no cloud); jobs that can never run on-prem pay their cheapest price in full.
/// Every relaxation lowers the spend, so a strategy that starts each job at once and loses no work cannot spend less than
/// <see cref="NoWait"/>. A strategy that waits can: delaying a job by w frees at most its GPUs × w of on-prem time for
/// others, so <see cref="OneMaxWait"/> subtracts, for every job left in, its price × GPUs × the longest wait its policy
/// allows before it bursts (the max wait, or (max slowdown − 1) × its runtime when that is longer). Waiting again after a
/// preemption is not covered: a job preempted and requeued may wait once more.
/// </summary>
/// <param name="NoWait">The fluid spend when no job waits.</param>
/// <param name="OneMaxWait">The same less what one policy wait per job could save at most (never below zero).</param>
/// <param name="NeverOnPrem">Of <see cref="NoWait"/>, the spend of jobs no on-prem node or node gang could ever hold.</param>
/// <param name="JobsLeftOut">Jobs that cannot burst (their policy, or no offer holds them), left out of the demand.</param>
public sealed record FluidCloudReference(decimal NoWait, decimal OneMaxWait, decimal NeverOnPrem, int JobsLeftOut)
{
    private sealed record Demand(long StartS, long EndS, double Gpus, double PricePerGpuHour, int Index);

    public static FluidCloudReference Of(Scenario scenario, IReadOnlyList<TraceJob> jobs)
    {
        var onPremGpus = scenario.OnPrem.Nodes.Sum(g => (double)g.Count * g.GpusPerNode);
        var capacity = GangShapes.OnPremCapacity(scenario.OnPrem);
        var policies = ReplayEngineInputs.From(scenario).Book;
        var demands = new List<Demand>();
        var (neverOnPrem, waitSaving, leftOut) = (0.0, 0.0, 0);
        foreach (var job in jobs.Where(j => j.DurationS > 0))
        {
            var policy = policies.For(job.Team);
            var price = CheapestPerGpuHour(scenario.Cloud.Offers, job, policy);
            if (!policy.AllowBurst || scenario.Budgets.ContainsKey(job.Team) || price is not { } perGpuHour)
            {
                leftOut++;
                continue;
            }
            var gpus = job.GpuShare is { } share ? (double)share : job.Gpus;
            var everOnPrem = job.OnPremRefusal is null && CapacityFeasibility.Check(
                new GpuRequestShape(job.Gpus, job.GpuModels, job.MinGpuMemoryGb, Shared: job.GpuShare is not null), capacity).Feasible;
            if (!everOnPrem)
            {
                neverOnPrem += perGpuHour * gpus * job.DurationS / 3600.0;
                continue;
            }
            var longestWaitS = Math.Max(policy.MaxWaitBeforeBurst.TotalSeconds, policy.MaxSlowdown is { } s ? (s - 1) * job.DurationS : 0);
            waitSaving += perGpuHour * gpus * Math.Min(longestWaitS, job.DurationS) / 3600.0;
            demands.Add(new Demand(job.SubmitS, job.SubmitS + job.DurationS, gpus, perGpuHour, demands.Count));
        }
        var noWait = neverOnPrem + Overflow(demands, onPremGpus);
        return new FluidCloudReference(Money(noWait), Money(Math.Max(neverOnPrem, noWait - waitSaving)), Money(neverOnPrem), leftOut);
    }

    /// <summary>
    /// The cheapest hourly price of any allowed offer that holds the job, per GPU the job asks for (per unit of its share for a
    /// share: one instance bills whole), spot where allowed; null when no offer holds it within the caps. As in the engine, a
    /// job takes one instance at least as large as it, or, larger than every such instance, a gang of equal instances; the
    /// cap applies to that price per GPU of the job.
    /// </summary>
    private static double? CheapestPerGpuHour(IReadOnlyList<ScenarioOffer> offers, TraceJob job, BurstPolicy policy)
    {
        var holding = offers.Where(o => job.AcceptsModel(o.GpuModel) && o.GpuMemoryGb >= job.MinGpuMemoryGb).ToArray();
        var gang = holding.Length > 0 && job.Gpus > holding.Max(o => o.Gpus);
        double? best = null;
        foreach (var offer in holding.Where(o => (gang || o.Gpus >= job.Gpus) && policy.AllowsProvider(o.Provider) && policy.AllowsRegion(o.Region)))
        {
            var instances = (job.Gpus + offer.Gpus - 1) / offer.Gpus;
            foreach (var (market, hourly) in Markets(offer, job, policy))
            {
                var perJobGpu = hourly * instances / job.Gpus;
                if (PolicyBook.PriceCap(job.MaxPricePerGpuHour, policy, market) is { } cap && perJobGpu > cap)
                {
                    continue;
                }
                var perUnit = (double)perJobGpu / (job.GpuShare is { } share ? (double)share : 1);
                best = best is { } b ? Math.Min(b, perUnit) : perUnit;
            }
        }
        return best;
    }

    private static IEnumerable<(CapacityType Market, decimal Hourly)> Markets(ScenarioOffer offer, TraceJob job, BurstPolicy policy)
    {
        if (policy.AllowsMarket(CapacityType.OnDemand))
        {
            yield return (CapacityType.OnDemand, offer.OnDemandPerHour);
        }
        if (job.SpotOk && policy.AllowsMarket(CapacityType.Spot) && offer.SpotPerHour is { } spot)
        {
            yield return (CapacityType.Spot, spot);
        }
    }

    /// <summary>
    /// The cloud spend of the demand beyond <paramref name="onPremGpus"/>, sweeping the moments where a job starts or ends: in
    /// each span the on-prem GPUs go to the dearest jobs first (this maximises the cloud price kept on-prem in every span, and
    /// spans are independent because no job moves in time).
    /// </summary>
    private static double Overflow(IReadOnlyList<Demand> demands, double onPremGpus)
    {
        var edges = demands.SelectMany(d => new[] { (At: d.StartS, Demand: d, Starts: true), (At: d.EndS, Demand: d, Starts: false) })
            .OrderBy(e => e.At).ToArray();
        var running = new SortedSet<Demand>(Comparer<Demand>.Create((a, b) =>
            b.PricePerGpuHour.CompareTo(a.PricePerGpuHour) is var byPrice and not 0 ? byPrice : a.Index.CompareTo(b.Index)));
        var (spend, allHourly) = (0.0, 0.0);
        for (var i = 0; i < edges.Length; i++)
        {
            var edge = edges[i];
            if (edge.Starts ? running.Add(edge.Demand) : running.Remove(edge.Demand))
            {
                allHourly += (edge.Starts ? 1 : -1) * edge.Demand.Gpus * edge.Demand.PricePerGpuHour;
            }
            var spanS = i + 1 < edges.Length ? edges[i + 1].At - edge.At : 0;
            if (spanS <= 0 || running.Count == 0)
            {
                continue;
            }
            var (left, keptHourly) = (onPremGpus, 0.0);
            foreach (var d in running)
            {
                if (left <= 0)
                {
                    break;
                }
                var kept = Math.Min(left, d.Gpus);
                keptHourly += kept * d.PricePerGpuHour;
                left -= kept;
            }
            spend += Math.Max(0, allHourly - keptHourly) * spanS / 3600.0;
        }
        return spend;
    }

    private static decimal Money(double usd) => Math.Round((decimal)usd, 2);
}
