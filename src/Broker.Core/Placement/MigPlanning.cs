namespace Broker.Core.Placement;

/// <summary>
/// MIG slices on-prem (ADR 0011): a MIG job takes one slice of its profile on a node that declares that profile (Slurm GRES
/// <c>gpu:&lt;profile&gt;</c>), never a whole GPU and never a node without the profile. Best fit: the node left with the
/// fewest free slices of the profile (then by name), so nodes with many free slices stay whole for later jobs.
/// </summary>
internal sealed class MigPlanning
{
    private readonly List<Room> rooms;
    private readonly HashSet<string> declared = new(StringComparer.OrdinalIgnoreCase);

    public MigPlanning(IEnumerable<OnPremNode> nodes)
    {
        var all = nodes.ToList();
        foreach (var slice in all.SelectMany(n => n.Mig ?? []))
        {
            declared.Add(slice.Profile);
        }
        rooms = [.. all.Where(n => n.Schedulable && n.Mig is { Count: > 0 }).OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => new Room(n, n.Mig!.ToDictionary(s => s.Profile, s => Math.Max(0, s.Free), StringComparer.OrdinalIgnoreCase),
                n.FreeCpus, n.FreeMemoryGb))];
    }

    /// <summary>True when some present node (schedulable or not) declares the profile.</summary>
    public bool Declares(string profile) => declared.Contains(profile);

    /// <summary>Takes one free slice of <paramref name="profile"/> on the best-fitting node; null when none is free.</summary>
    public OnPremNode? TryPlaceNow(string profile, int cpus, int memoryGb)
    {
        Room? best = null;
        foreach (var room in rooms)
        {
            if (room.Free.GetValueOrDefault(profile) > 0 && room.Cpus >= cpus && room.MemoryGb >= memoryGb
                && (best is null || room.Free[profile] < best.Free[profile]))
            {
                best = room;
            }
        }
        if (best is null)
        {
            return null;
        }
        best.Free[profile]--;
        best.Cpus = Math.Max(0, best.Cpus - Math.Max(0, cpus));
        best.MemoryGb = Math.Max(0, best.MemoryGb - Math.Max(0, memoryGb));
        return best.Node;
    }

    private sealed class Room(OnPremNode node, Dictionary<string, int> free, int cpus, int memoryGb)
    {
        public OnPremNode Node { get; } = node;

        public Dictionary<string, int> Free { get; } = free;

        public int Cpus { get; set; } = cpus;

        public int MemoryGb { get; set; } = memoryGb;
    }
}

/// <summary>A MIG job placed now on a slice of its profile.</summary>
internal static class MigSteps
{
    public static OnPremDecision? PlaceNow(PlacementPass pass, PendingJob job, string profile)
    {
        if (job.OnPremRefusal is not null || pass.OnPrem.Mig.TryPlaceNow(profile, job.CpuCores, job.MemoryGb) is not { } node)
        {
            return null;
        }
        var rate = pass.Policies.For(job.Team).OnPremRatePerGpuHour * MigProfiles.GpuFraction(profile);
        var chosen = $"on-prem {node.Name} (1x MIG {profile}): idle on-prem MIG slice of the profile, best-fit node";
        return new OnPremDecision(job.JobId, node.Name, 1, profile, rate, new Explanation(chosen, []));
    }

    /// <summary>Why a MIG job has no on-prem slice now: none free, or no node declares the profile at all.</summary>
    public static RejectedOption NotNow(PlacementPass pass, string profile) => pass.OnPrem.Mig.Declares(profile)
        ? new RejectedOption("on-prem now", RejectionReason.Capacity, $"no free MIG slice {profile} on a schedulable node")
        : new RejectedOption("on-prem", RejectionReason.Capacity, $"no on-prem node declares MIG profile {profile}");
}
