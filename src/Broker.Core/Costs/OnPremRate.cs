namespace Broker.Core.Costs;

/// <summary>The on-prem chargeback rate from <see cref="EffectiveFrom"/> until the next rate's start.</summary>
public sealed class OnPremRate
{
    public long Id { get; set; }

    public DateTimeOffset EffectiveFrom { get; set; }

    public decimal UsdPerGpuHour { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
