namespace Broker.Core.Placement;

/// <summary>
/// The planned timeline of one on-prem node's GPUs during a pass. Each slot has the tick at which it becomes free in
/// the plan; a slot that is idle now but held for a queued job also remembers when that job starts, so a short job
/// may backfill the gap without delaying it.
/// </summary>
internal sealed class NodeSlots
{
    private readonly Slot[] slots;

    public NodeSlots(int index, OnPremNode node, int pool, long[] freeAt)
    {
        Index = index;
        Node = node;
        Pool = pool;
        slots = new Slot[freeAt.Length];
        for (var i = 0; i < freeAt.Length; i++)
        {
            slots[i] = new Slot(freeAt[i], 0);
        }
        Sort();
    }

    public int Index { get; }

    public OnPremNode Node { get; }

    public int Pool { get; }

    public int Total => slots.Length;


    public int FreeAt(long now)
    {
        var count = 0;
        foreach (var slot in slots)
        {
            count += slot.FreeAt <= now ? 1 : 0;
        }
        return count;
    }

    /// <summary>When the g-th earliest slot becomes free (g is 1-based).</summary>
    public long KthFree(int g) => slots[g - 1].FreeAt;

    /// <summary>
    /// How long the g-th longest-idle GPU stays usable for a job starting now: forever (long.MaxValue) for a free slot,
    /// until its holder starts for a held-but-idle slot; long.MinValue when fewer than g GPUs are idle now.
    /// </summary>
    public long KthAvailable(int g, long now)
    {
        Span<long> until = stackalloc long[slots.Length];
        var idle = AvailableUntil(now, until);
        return idle < g ? long.MinValue : until[idle - g];
    }

    /// <summary>
    /// Fills <paramref name="until"/> (at least <see cref="Total"/> long) with how long each idle GPU stays usable for a job
    /// starting now, ascending, as <see cref="KthAvailable"/> reads them; returns how many GPUs are idle.
    /// </summary>
    public int AvailableUntil(long now, Span<long> until)
    {
        var idle = 0;
        foreach (var slot in slots)
        {
            if (slot.FreeAt <= now)
            {
                until[idle++] = long.MaxValue;
            }
            else if (slot.HeldStart > now)
            {
                until[idle++] = slot.HeldStart;
            }
        }
        until[..idle].Sort();
        return idle;
    }

    /// <summary>Held-but-idle slots whose holder starts no earlier than <paramref name="end"/>.</summary>
    public int Backfillable(long now, long end)
    {
        var count = 0;
        foreach (var slot in slots)
        {
            count += slot.FreeAt > now && slot.HeldStart >= end ? 1 : 0;
        }
        return count;
    }

    /// <summary>Starts a job on this node now: free slots first, then backfill gaps that end before their holder starts.</summary>
    public void PlaceNow(int gpus, long now, long end)
    {
        var needed = gpus;
        for (var i = 0; i < slots.Length && needed > 0; i++)
        {
            if (slots[i].FreeAt <= now)
            {
                slots[i] = new Slot(end, 0);
                needed--;
            }
        }
        for (var i = 0; i < slots.Length && needed > 0; i++)
        {
            if (slots[i].FreeAt > now && slots[i].HeldStart >= end)
            {
                slots[i] = slots[i] with { HeldStart = 0 };
                needed--;
            }
        }
        if (needed > 0)
        {
            throw new InvalidOperationException($"Node {Node.Name} cannot take {gpus} GPUs now.");
        }
        Sort();
    }

    /// <summary>Queues a job on the earliest-free slots (list scheduling); returns its planned start.</summary>
    public long Reserve(int gpus, long now, long duration) => ReserveAt(gpus, now, Math.Max(now, slots[gpus - 1].FreeAt), duration);

    /// <summary>Queues a job on the earliest-free slots from <paramref name="start"/> (a gang's common start, ADR 0012).</summary>
    public long ReserveAt(int gpus, long now, long start, long duration)
    {
        for (var i = 0; i < gpus; i++)
        {
            var heldStart = slots[i].FreeAt <= now && start > now ? start : 0;
            slots[i] = new Slot(start + duration, heldStart);
        }
        Sort();
        return start;
    }

    /// <summary>
    /// Frees now <paramref name="gpus"/> slots that free at <paramref name="at"/> and hold no queued job (a running job moved off
    /// this node); false, changing nothing, when there are not that many (the pass queued a job behind them).
    /// </summary>
    public bool TryVacate(long at, int gpus, long now)
    {
        if (VacatableAt(at) < gpus)
        {
            return false;
        }
        for (var i = 0; i < slots.Length && gpus > 0; i++)
        {
            if (slots[i].FreeAt == at && slots[i].HeldStart == 0)
            {
                slots[i] = new Slot(now, 0);
                gpus--;
            }
        }
        Sort();
        return true;
    }

    /// <summary>Slots that free at <paramref name="at"/> and hold no queued job.</summary>
    public int VacatableAt(long at) => slots.Count(s => s.FreeAt == at && s.HeldStart == 0);

    /// <summary>True when some GPU of this node frees at exactly <paramref name="at"/> in the plan.</summary>
    public bool HasSlotFreeingAt(long at) => Array.Exists(slots, s => s.FreeAt == at);

    /// <summary>
    /// A GPU that frees at <paramref name="from"/> stays busy until <paramref name="to"/> (a shared GPU gaining a tenant that
    /// outlasts the others). Slots freeing at one tick are interchangeable: the count of busy GPUs at every time is what counts.
    /// </summary>
    public void Extend(long from, long to)
    {
        var i = Array.FindIndex(slots, s => s.FreeAt == from);
        if (i < 0 || to <= from)
        {
            return;
        }
        slots[i] = slots[i] with { FreeAt = to };
        Sort();
    }

    private void Sort()
    {
        // At most a few dozen slots: insertion sort keeps it allocation-free and stable.
        for (var i = 1; i < slots.Length; i++)
        {
            var current = slots[i];
            var j = i - 1;
            while (j >= 0 && Compare(slots[j], current) > 0)
            {
                slots[j + 1] = slots[j];
                j--;
            }
            slots[j + 1] = current;
        }
    }

    private static int Compare(Slot a, Slot b) =>
        a.FreeAt != b.FreeAt ? a.FreeAt.CompareTo(b.FreeAt) : a.HeldStart.CompareTo(b.HeldStart);

    private readonly record struct Slot(long FreeAt, long HeldStart);
}
