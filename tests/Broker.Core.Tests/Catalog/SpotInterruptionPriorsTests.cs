using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

public sealed class SpotInterruptionPriorsTests
{
    [Theory]
    [InlineData("<5%", 0.025)]
    [InlineData("5-10%", 0.075)]
    [InlineData("10-15%", 0.125)]
    [InlineData("15-20%", 0.175)]
    [InlineData(">20%", 0.25)]
    public void A_band_becomes_a_constant_hazard_that_interrupts_its_midpoint_share_in_a_month(string band, double monthly)
    {
        var perHour = SpotInterruptionPriors.PerHour("aws", band);

        Assert.Equal(monthly, 1 - Math.Exp(-perHour * 730), 12);
    }

    [Fact]
    public void Higher_bands_give_higher_hazards()
    {
        string[] bands = ["<5%", "5-10%", "10-15%", "15-20%", ">20%"];

        var hazards = bands.Select(b => SpotInterruptionPriors.PerHour("aws", b)).ToList();

        Assert.Equal(hazards.Order(), hazards);
        Assert.Equal(hazards.Count, hazards.Distinct().Count());
    }

    [Fact]
    public void Clouds_without_a_band_use_their_documented_default()
    {
        Assert.Equal(SpotInterruptionPriors.PerHour("aws", "10-15%"), SpotInterruptionPriors.PerHour("azure", ""));
        Assert.Equal(0.10, 1 - Math.Exp(-SpotInterruptionPriors.PerHour("gcp", null) * 24), 12);
    }

    [Fact]
    public void An_unknown_band_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => SpotInterruptionPriors.PerHour("aws", "30-40%"));
    }
}
