namespace Broker.Core.Costs.Idle;

/// <summary>
/// One node's on-prem GPU time in one UTC hour at one rate: what Slurm reported used and available (each per-minute sample
/// stands for a minute), and what nobody used, priced at the on-prem rate in effect at each sample.
/// </summary>
public sealed class IdleHour
{
    public DateTimeOffset Hour { get; set; }

    public string Node { get; set; } = "";

    public string GpuModel { get; set; } = "";

    public decimal UsdPerGpuHour { get; set; }

    public int Samples { get; set; }

    public long UsedGpuMinutes { get; set; }

    public long TotalGpuMinutes { get; set; }

    public decimal IdleGpuHours { get; set; }

    public decimal IdleCost { get; set; }

    /// <summary>The rule, in one place for rollups and the live tail: each amount rounded per row like a ledger entry.</summary>
    public static IdleHour From(DateTimeOffset hour, string node, string model, decimal rate, int samples, long used, long total)
    {
        var idleMinutes = Math.Max(0, total - used);
        return new IdleHour
        {
            Hour = hour, Node = node, GpuModel = model, UsdPerGpuHour = rate, Samples = samples, UsedGpuMinutes = used,
            TotalGpuMinutes = total, IdleGpuHours = Usd.Round(idleMinutes / 60m), IdleCost = Usd.Round(idleMinutes * rate / 60m),
        };
    }
}

/// <summary>How far a background rollup has got: the last ledger entry id folded in, or the hour samples are rolled up to.</summary>
public sealed class RollupState
{
    public const string Ledger = "ledger";
    public const string Idle = "idle";

    public string Name { get; set; } = "";

    public long LastEntryId { get; set; }

    public DateTimeOffset? RolledUntil { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
