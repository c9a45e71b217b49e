using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class SpotAvailabilityTraceTests
{
    private static readonly SpotAvailabilityTrace Trace = new("t", 100, [1, 1, 0, 0, 1, 1, 1, 0]);

    [Theory]
    [InlineData(0, true)]
    [InlineData(199, true)]
    [InlineData(200, false)]
    [InlineData(399, false)]
    [InlineData(400, true)]
    [InlineData(800, true)]
    [InlineData(-1, false)]
    public void Availability_follows_the_ticks_and_repeats(long t, bool available)
    {
        Assert.Equal(available, Trace.IsAvailable(t));
    }

    [Theory]
    [InlineData(0, 200)]
    [InlineData(150, 200)]
    [InlineData(250, 250)]
    [InlineData(450, 700)]
    [InlineData(750, 750)]
    [InlineData(810, 1000)]
    public void Next_unavailable_is_the_first_unavailable_second(long t, long expected)
    {
        Assert.Equal(expected, Trace.NextUnavailable(t));
    }

    [Fact]
    public void A_trace_that_never_drops_never_interrupts()
    {
        Assert.Null(new SpotAvailabilityTrace("up", 60, [1, 3, 2]).NextUnavailable(12345));
    }

    [Fact]
    public void Interruption_rate_counts_drops_per_available_hour_in_the_trailing_window()
    {
        var hourly = new SpotAvailabilityTrace("h", 3600, [1, 1, 0, 1, 1, 1, 0, 1]);

        Assert.Equal(2.0 / 6, hourly.InterruptionRate(8 * 3600, 8 * 3600), precision: 9);
        Assert.Equal(0, hourly.InterruptionRate(2 * 3600, 2 * 3600), precision: 9);
    }

    [Fact]
    public void Parses_the_cant_be_late_format_and_rejects_others()
    {
        var parsed = SpotAvailabilityTrace.Parse("p", """{"metadata": {"gap_seconds": 195}, "data": [1, 0, 1]}""");

        Assert.Equal(195, parsed.GapSeconds);
        Assert.False(parsed.IsAvailable(200));
        Assert.Throws<TraceFormatException>(() => SpotAvailabilityTrace.Parse("bad", """{"data": [1]}"""));
    }
}
