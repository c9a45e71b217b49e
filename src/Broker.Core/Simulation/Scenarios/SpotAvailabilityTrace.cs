using System.Text.Json;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Scenarios;

/// <summary>
/// A spot availability series in the "Can't Be Late" format (<c>{"metadata": {"gap_seconds": N}, "data": [...]}</c>):
/// tick k covers [k·gap, (k+1)·gap) and a value above zero means spot capacity is there. Replay time 0 is tick 0 and the
/// series repeats when the replay is longer than the trace. Multi-instance counts are read as available/unavailable.
/// The one reader of these files: the replay, the what-if and the simulated clouds all use it.
/// </summary>
public sealed class SpotAvailabilityTrace
{
    private readonly bool[] available;
    private readonly int[] ticksToUnavailable;
    private readonly long[] dropsBefore;
    private readonly long[] availableBefore;

    public SpotAvailabilityTrace(string name, long gapSeconds, IReadOnlyList<double> data)
    {
        if (gapSeconds <= 0 || data.Count == 0)
        {
            throw new ArgumentException($"Spot trace {name}: gap_seconds must be > 0 and data non-empty.");
        }
        Name = name;
        GapSeconds = gapSeconds;
        available = data.Select(v => v > 0).ToArray();
        ticksToUnavailable = DistancesToUnavailable(available);
        dropsBefore = new long[available.Length + 1];
        availableBefore = new long[available.Length + 1];
        for (var i = 0; i < available.Length; i++)
        {
            var drop = available[(i - 1 + available.Length) % available.Length] && !available[i];
            dropsBefore[i + 1] = dropsBefore[i] + (drop ? 1 : 0);
            availableBefore[i + 1] = availableBefore[i] + (available[i] ? 1 : 0);
        }
    }

    public string Name { get; }

    public long GapSeconds { get; }

    public long PeriodSeconds => GapSeconds * available.Length;

    /// <summary>Reads a trace file, named by its file name.</summary>
    public static SpotAvailabilityTrace Load(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path));

    public static SpotAvailabilityTrace Parse(string name, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var gap = doc.RootElement.GetProperty("metadata").GetProperty("gap_seconds").GetDouble();
            var data = doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new SpotAvailabilityTrace(name, (long)Math.Round(gap), data);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TraceFormatException($"Spot trace {name}: not a Can't Be Late availability file ({e.Message}).", e);
        }
    }

    public bool IsAvailable(long t) => available[Index(Tick(t))];

    /// <summary>The first second at or after <paramref name="t"/> when spot is unavailable, or null if it never is.</summary>
    public long? NextUnavailable(long t)
    {
        var tick = Tick(t);
        var distance = ticksToUnavailable[Index(tick)];
        if (distance < 0)
        {
            return null;
        }
        return distance == 0 ? t : (tick + distance) * GapSeconds;
    }

    /// <summary>Interruptions per available hour over [t − window, t): what a broker could have observed by then.</summary>
    public double InterruptionRate(long t, long windowSeconds)
    {
        var to = Tick(t);
        var from = Tick(t - windowSeconds);
        var drops = Count(dropsBefore, from, to);
        var availableHours = Count(availableBefore, from, to) * GapSeconds / 3600.0;
        return drops / Math.Max(1.0, availableHours);
    }

    private long Tick(long t) => (long)Math.Floor(t / (double)GapSeconds);

    private int Index(long tick) => (int)(((tick % available.Length) + available.Length) % available.Length);

    /// <summary>Sum over ticks [from, to) of a circular series given by its prefix sums.</summary>
    private long Count(long[] prefix, long from, long to)
    {
        long At(long tick)
        {
            var n = available.Length;
            var periods = (long)Math.Floor(tick / (double)n);
            return periods * prefix[n] + prefix[Index(tick)];
        }
        return At(to) - At(from);
    }

    private static int[] DistancesToUnavailable(bool[] up)
    {
        var n = up.Length;
        var result = new int[n];
        var firstDown = Array.IndexOf(up, false);
        if (firstDown < 0)
        {
            Array.Fill(result, -1);
            return result;
        }
        var next = firstDown + n;
        for (var i = 2 * n - 1; i >= 0; i--)
        {
            if (!up[i % n])
            {
                next = i;
            }
            if (i < n)
            {
                result[i] = next - i;
            }
        }
        return result;
    }
}
