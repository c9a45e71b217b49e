using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.WhatIf;

/// <summary>
/// A deterministic spot availability series for one offer from the interruption rate Broker holds for it (interruptions
/// per spot instance-hour, the prior blended with what Broker observed): up-times drawn from an exponential distribution
/// with that rate, each followed by an outage of fixed length. The draws come from a generator seeded by a stable hash of
/// the offer's identity, so the same offer gets the same series in both replays of a what-if, in every run and on every
/// machine. The series covers <see cref="PeriodDays"/> and repeats (as every availability trace in the replay does).
/// </summary>
public static class ModelledSpotAvailability
{
    public const long GapSeconds = 300;
    public const int PeriodDays = 30;

    public static SpotAvailabilityTrace For(string offerId, double interruptionsPerHour, TimeSpan outage)
    {
        var ticks = (int)(PeriodDays * 86400 / GapSeconds);
        var data = new double[ticks];
        if (interruptionsPerHour <= 0 || double.IsNaN(interruptionsPerHour))
        {
            Array.Fill(data, 1.0);
            return new SpotAvailabilityTrace(offerId, GapSeconds, data);
        }
        var outageTicks = Math.Max(1, (int)Math.Ceiling(outage.TotalSeconds / GapSeconds));
        var state = (ulong)StableHash.Of("spot-model:" + offerId) | 1UL << 40;
        var i = 0;
        while (i < ticks)
        {
            var up = -Math.Log(1 - Next(ref state)) / interruptionsPerHour * 3600 / GapSeconds;
            var upTicks = Math.Max(1, (int)Math.Min(ticks, Math.Round(up)));
            for (var k = 0; k < upTicks && i < ticks; k++, i++)
            {
                data[i] = 1;
            }
            i += outageTicks;
        }
        return new SpotAvailabilityTrace(offerId, GapSeconds, data);
    }

    /// <summary>xorshift64*: a uniform double in [0, 1).</summary>
    private static double Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return ((state * 2685821657736338717UL) >> 11) / (double)(1UL << 53);
    }
}
