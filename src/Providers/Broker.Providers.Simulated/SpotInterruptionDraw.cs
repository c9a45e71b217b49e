using Broker.Core.Capacity.Catalog;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Providers.Simulated;

/// <summary>
/// Decides at create time when a spot instance will be interrupted, if before its job ends.
/// From a trace: the first tick with no capacity. From a rate λ per simulated instance-hour: an exponential draw,
/// <c>-ln(1 - U) / λ</c> hours with U from the cloud's seeded <see cref="Random"/>, one draw per spot create.
/// </summary>
internal sealed class SpotInterruptionDraw(SimulatedCloudOptions options, Random random, SpotAvailabilityTrace? trace,
    DateTimeOffset traceStart)
{
    public bool HasCapacity(DateTimeOffset now) => trace is null || trace.IsAvailable(Seconds(options.ToSimulated(now - traceStart)));

    public DateTimeOffset? InterruptionAt(CatalogOffer offer, DateTimeOffset now, DateTimeOffset jobEnds)
    {
        if (trace is not null)
        {
            var first = FirstUnavailable(trace, options.ToSimulated(now - traceStart), options.ToSimulated(jobEnds - traceStart));
            return first is { } t ? traceStart + options.ToClock(t) : null;
        }
        var rate = options.SpotInterruptionsPerHour ?? offer.SpotInterruptionPerHour;
        var u = random.NextDouble();
        if (rate <= 0)
        {
            return null;
        }
        var hours = -Math.Log(1 - u) / rate;
        var window = options.ToSimulated(jobEnds - now).TotalHours;
        return hours < window ? now + options.ToClock(TimeSpan.FromHours(hours)) : null;
    }

    /// <summary>The first moment in [from, until) of the trace (from its start) with no spot capacity, or null.</summary>
    private static TimeSpan? FirstUnavailable(SpotAvailabilityTrace trace, TimeSpan from, TimeSpan until)
    {
        var second = Seconds(from);
        if (!trace.IsAvailable(second))
        {
            return from;
        }
        return trace.NextUnavailable(second) is { } next && TimeSpan.FromSeconds(next) < until ? TimeSpan.FromSeconds(next) : null;
    }

    /// <summary>The whole second of the trace a moment falls in; the trace starts when the cloud is built.</summary>
    private static long Seconds(TimeSpan sinceStart) => (long)Math.Floor(Math.Max(0, sinceStart.TotalSeconds));
}
