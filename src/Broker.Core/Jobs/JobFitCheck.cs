using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;

namespace Broker.Core.Jobs;

/// <summary>
/// Refuses at submission a job whose CPU cores or memory no known node (slurmrestd's sizes) and no available offer of a
/// configured cloud (the price catalog's sizes) could ever hold: it would otherwise wait forever. A Broker that knows no
/// capacity at all yet (first inventory sync not done) refuses nothing.
/// </summary>
public sealed class JobFitCheck(BrokerDbContext db, ComputeProviders clouds, SubmitCapacityCatalog catalog)
{
    public async Task EnsureSomeCapacityHoldsAsync(JobSubmission job, CancellationToken ct)
    {
        var snapshot = await catalog.ReadAsync(db, clouds, fresh: false, ct);
        var sizes = Sizes(snapshot);
        if (!snapshot.Fresh && sizes.Count > 0 && !sizes.Any(s => s.Holds(job)))
        {
            // Refuse only on what the catalog says now (capacity added in the last few seconds counts).
            sizes = Sizes(await catalog.ReadAsync(db, clouds, fresh: true, ct));
        }
        if (sizes.Count == 0 || sizes.Any(s => s.Holds(job)))
        {
            return;
        }
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var largestCpus = sizes.Max(s => s.Cpus);
        var largestMemory = sizes.Max(s => s.MemoryGb);
        if (sizes.All(s => !s.HoldsCpus(job)))
        {
            errors["cpuCores"] = [$"No node or cloud offer has {job.CpuCores} CPU cores (the largest has {largestCpus})."];
        }
        if (sizes.All(s => !s.HoldsMemory(job)))
        {
            errors["memoryGb"] = [$"No node or cloud offer has {job.MemoryGb} GB of memory (the largest has {Math.Floor(largestMemory)} GB)."];
        }
        if (errors.Count == 0)
        {
            const string together = "No node or cloud offer has both the CPU cores and the memory asked for.";
            errors["cpuCores"] = [together];
            errors["memoryGb"] = [together];
        }
        throw new RuleViolationException("No node or cloud offer could hold the job.", errors);
    }

    private static List<Size> Sizes(SubmitCapacityCatalog.Snapshot snapshot) => snapshot.Derived("machine-sizes", static List<Size> (s) =>
    [
        .. s.Nodes.Select(n => new Size(n.Cpus, n.MemoryMb / 1024.0)),
        .. s.Offers.Where(o => o.Available).Select(o => new Size(o.VCpus, o.MemoryGb)).Distinct(),
    ]);

    /// <summary>A machine's size; 0 means the source did not say, which never rules it out.</summary>
    private sealed record Size(int Cpus, double MemoryGb)
    {
        public bool HoldsCpus(JobSubmission job) => Cpus <= 0 || Cpus >= job.CpuCores;

        public bool HoldsMemory(JobSubmission job) => MemoryGb <= 0 || MemoryGb >= job.MemoryGb;

        public bool Holds(JobSubmission job) => HoldsCpus(job) && HoldsMemory(job);
    }
}
