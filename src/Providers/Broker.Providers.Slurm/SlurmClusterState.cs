using System.Collections.Concurrent;

namespace Broker.Providers.Slurm;

/// <summary>
/// Process-wide memory of the Slurm adapter (one per DI container): which Slurm job won for an allocation, the raw gres
/// of each node from the last inventory, and striped locks so two submits for one allocation in this process never race.
/// Losing this state is harmless: every lookup can be answered again from slurmctld.
/// </summary>
internal sealed class SlurmClusterState
{
    private const int MaxRememberedJobs = 50_000;
    private readonly SemaphoreSlim[] _submitLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ConcurrentDictionary<Guid, long> _jobIds = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<GresEntry>> _nodeGres = new(StringComparer.Ordinal);

    public SemaphoreSlim SubmitLockFor(Guid allocationId) =>
        _submitLocks[(allocationId.GetHashCode() & int.MaxValue) % _submitLocks.Length];

    public bool TryGetJobId(Guid allocationId, out long jobId) => _jobIds.TryGetValue(allocationId, out jobId);

    public void RememberJobId(Guid allocationId, long jobId)
    {
        if (_jobIds.Count >= MaxRememberedJobs)
        {
            _jobIds.Clear();
        }
        _jobIds[allocationId] = jobId;
    }

    public void ForgetJobId(Guid allocationId) => _jobIds.TryRemove(allocationId, out _);

    public void RememberNodeGres(string node, IReadOnlyList<GresEntry> gres) => _nodeGres[node] = gres;

    public IReadOnlyList<GresEntry>? NodeGres(string node) => _nodeGres.TryGetValue(node, out var gres) ? gres : null;

    public SlurmHealthLog Health { get; } = new();
}
