namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Spot interruption hazards (interruptions per instance-hour) from published data, used as priors.
/// <para>AWS Spot Advisor publishes a band for the share of spot instances interrupted over the trailing month. We take the
/// band's midpoint p (the open band "&gt;20%" is taken as 25%, one band width past its bound) and assume a constant hazard
/// over a 730-hour month: P(survive a month) = exp(-λ·730) = 1 - p, so <c>λ = -ln(1 - p) / 730</c>.
/// "&lt;5%" gives 3.47e-5/h, "&gt;20%" 3.94e-4/h.</para>
/// <para>Defaults where no band is published: AWS rows without a band and Azure (whose eviction-rate bands are not in the
/// retail catalog) use the middle band, 10-15% a month (1.83e-4/h). GCP publishes no rate; its documentation long put
/// preemption of preemptible VMs at 5-15% a day, so GCP uses 10% a day: <c>λ = -ln(0.9) / 24</c> = 4.39e-3/h.</para>
/// </summary>
public static class SpotInterruptionPriors
{
    public const double HoursPerMonth = 730;

    public static double MonthlyProbability(string band) => band.Trim() switch
    {
        "<5%" => 0.025,
        "5-10%" => 0.075,
        "10-15%" => 0.125,
        "15-20%" => 0.175,
        ">20%" => 0.25,
        _ => throw new InvalidDataException($"unknown spot interruption band '{band}'"),
    };

    public static double HazardFromMonthlyProbability(double probability) => -Math.Log(1 - probability) / HoursPerMonth;

    public static double DefaultPerHour(string provider) => provider switch
    {
        "aws" or "azure" => HazardFromMonthlyProbability(0.125),
        "gcp" => -Math.Log(1 - 0.10) / 24,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "unknown provider"),
    };

    /// <summary>The hazard from the band when there is one, else the provider's default.</summary>
    public static double PerHour(string provider, string? band) =>
        string.IsNullOrWhiteSpace(band) ? DefaultPerHour(provider) : HazardFromMonthlyProbability(MonthlyProbability(band));
}
