namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Blends the published spot interruption prior with what Broker observed (Gamma-Poisson, the conjugate pair for a rate).
/// The prior hazard λ0 counts as <see cref="PriorWeightInstanceHours"/> instance-hours of evidence: Gamma(α = λ0·W, β = W).
/// Observing k interruptions over T spot instance-hours gives the posterior mean
/// <c>λ = (λ0·W + k) / (W + T)</c>: the prior with no observations, the observed rate k/T once T ≫ W.
/// Always pass the cumulative observations for the offer and blend from the prior, never from a previous estimate,
/// so that the same evidence is not counted twice.
/// </summary>
public sealed class InterruptionEstimator
{
    public const double DefaultPriorWeightInstanceHours = 200;

    public InterruptionEstimator(double priorWeightInstanceHours = DefaultPriorWeightInstanceHours)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(priorWeightInstanceHours);
        PriorWeightInstanceHours = priorWeightInstanceHours;
    }

    public double PriorWeightInstanceHours { get; }

    public double Estimate(double priorPerHour, InterruptionObservation observed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priorPerHour);
        ArgumentNullException.ThrowIfNull(observed);
        var w = PriorWeightInstanceHours;
        return (priorPerHour * w + observed.Interruptions) / (w + observed.SpotInstanceHours);
    }

    /// <summary>The offer with <see cref="CatalogOffer.SpotInterruptionPerHour"/> re-estimated from its prior.</summary>
    public CatalogOffer Apply(CatalogOffer offer, InterruptionObservation observed) =>
        offer with { SpotInterruptionPerHour = Estimate(offer.SpotInterruptionPriorPerHour, observed) };
}

/// <summary>Interruptions Broker saw on one offer, and the spot instance-hours it ran there, cumulative.</summary>
public sealed record InterruptionObservation
{
    public InterruptionObservation(int interruptions, double spotInstanceHours)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interruptions);
        ArgumentOutOfRangeException.ThrowIfNegative(spotInstanceHours);
        Interruptions = interruptions;
        SpotInstanceHours = spotInstanceHours;
    }

    public int Interruptions { get; }
    public double SpotInstanceHours { get; }
}
