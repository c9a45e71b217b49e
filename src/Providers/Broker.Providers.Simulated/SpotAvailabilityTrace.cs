using System.Text.Json;

namespace Broker.Providers.Simulated;

/// <summary>
/// A spot availability trace of the NSDI '24 "Can't Be Late" data set: <c>{"metadata": {"gap_seconds": N}, "data": [...]}</c>,
/// the number of spot instances obtainable at each tick, N seconds apart (read from each file: it varies from 30 to 600).
/// Here a tick with 0 means no spot capacity (live spot instances are interrupted, spot creates refused); any other value
/// means capacity. The trace starts when the cloud is built and repeats when it runs out.
/// Trace files are read only when a path is configured; the product ships none.
/// </summary>
public sealed class SpotAvailabilityTrace
{
    public SpotAvailabilityTrace(TimeSpan gap, IReadOnlyList<double> availability)
    {
        if (gap <= TimeSpan.Zero || availability.Count == 0)
        {
            throw new InvalidDataException("an availability trace needs a positive gap and at least one tick");
        }
        Gap = gap;
        Availability = availability;
    }

    public TimeSpan Gap { get; }
    public IReadOnlyList<double> Availability { get; }
    public TimeSpan Length => Gap * Availability.Count;

    public static SpotAvailabilityTrace Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var gap = json.RootElement.GetProperty("metadata").GetProperty("gap_seconds").GetDouble();
        var data = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToList();
        return new SpotAvailabilityTrace(TimeSpan.FromSeconds(gap), data);
    }

    public bool IsAvailable(TimeSpan sinceStart) => Availability[TickAt(sinceStart) % Availability.Count] > 0;

    /// <summary>The first moment in [from, until) with no spot capacity, or null when there is none.</summary>
    public TimeSpan? FirstUnavailable(TimeSpan from, TimeSpan until)
    {
        if (!IsAvailable(from))
        {
            return from;
        }
        var last = Math.Min(TickAt(until), TickAt(from) + Availability.Count);
        for (var tick = TickAt(from) + 1; tick <= last; tick++)
        {
            var start = Gap * tick;
            if (start >= until)
            {
                return null;
            }
            if (Availability[tick % Availability.Count] <= 0)
            {
                return start;
            }
        }
        return null;
    }

    private int TickAt(TimeSpan sinceStart) => (int)Math.Floor(Math.Max(0, sinceStart.Ticks) / (double)Gap.Ticks);
}
