using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

public sealed class InterruptionEstimatorTests
{
    private const double Prior = 3.47e-5;

    [Fact]
    public void Without_observations_the_estimate_is_the_prior()
    {
        var estimator = new InterruptionEstimator();

        Assert.Equal(Prior, estimator.Estimate(Prior, new InterruptionObservation(0, 0)), 15);
    }

    [Fact]
    public void Interruptions_move_the_estimate_up_toward_the_observed_rate()
    {
        var estimator = new InterruptionEstimator(priorWeightInstanceHours: 200);
        var observed = new InterruptionObservation(3, 100);

        var estimate = estimator.Estimate(Prior, observed);

        Assert.True(estimate > Prior && estimate < 3.0 / 100);
        Assert.Equal((Prior * 200 + 3) / 300, estimate, 15);
    }

    [Fact]
    public void Long_runs_without_interruptions_move_the_estimate_down()
    {
        var estimator = new InterruptionEstimator();

        var estimate = estimator.Estimate(0.01, new InterruptionObservation(0, 10_000));

        Assert.True(estimate < 0.01 / 10);
    }

    [Fact]
    public void With_plenty_of_evidence_the_estimate_approaches_the_observed_rate()
    {
        var estimator = new InterruptionEstimator();

        var estimate = estimator.Estimate(Prior, new InterruptionObservation(500, 100_000));

        Assert.Equal(0.005, estimate, 3);
    }

    [Fact]
    public void Apply_blends_from_the_offer_prior_not_from_the_previous_estimate()
    {
        var estimator = new InterruptionEstimator();
        var offer = Offers.Make() with { SpotInterruptionPriorPerHour = Prior, SpotInterruptionPerHour = Prior };
        var observed = new InterruptionObservation(2, 50);

        var once = estimator.Apply(offer, observed);
        var twice = estimator.Apply(once, observed);

        Assert.True(once.SpotInterruptionPerHour > Prior);
        Assert.Equal(once.SpotInterruptionPerHour, twice.SpotInterruptionPerHour);
        Assert.Equal(Prior, twice.SpotInterruptionPriorPerHour);
    }

    [Fact]
    public void Negative_observations_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterruptionObservation(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterruptionEstimator(0));
    }
}
