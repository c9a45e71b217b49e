using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// Integrates on-prem use over time and samples the chart series. "While waiting" counts, at each moment, only the GPU
/// pools (models) that some pending job could run on: a job waiting for a P100 says nothing about idle T4s.
/// </summary>
internal sealed class ReplayMetrics(TraceWindow window, int capacity, long sampleInterval)
{
    private readonly List<ReplaySample> samples = [];
    private long nextSample = window.StartS;

    public double BusyGpuSecondsInWindow { get; private set; }

    public double BusyGpuSecondsWhileWaiting { get; private set; }

    public double WantedGpuSeconds { get; private set; }

    public IReadOnlyList<ReplaySample> Samples => samples;

    /// <summary>The state (busy GPUs, pending jobs, cloud spend) held constant over [from, to).</summary>
    public void Advance(long from, long to, SimFleet fleet, int pending, Func<long, decimal> cloudSpendAt)
    {
        var busy = (double)fleet.Busy;
        if (to <= from)
        {
            return;
        }
        var inWindow = Math.Min(to, window.EndS) - Math.Max(from, window.StartS);
        if (inWindow > 0)
        {
            BusyGpuSecondsInWindow += busy * inWindow;
        }
        for (var p = 0; p < fleet.PoolCapacity.Length; p++)
        {
            if (fleet.IsWanted(p))
            {
                BusyGpuSecondsWhileWaiting += (double)fleet.PoolBusy[p] * (to - from);
                WantedGpuSeconds += (double)fleet.PoolCapacity[p] * (to - from);
            }
        }
        while (nextSample >= from && nextSample < to && nextSample <= window.EndS)
        {
            samples.Add(new ReplaySample(nextSample, capacity == 0 ? 0 : (double)busy / capacity, pending, cloudSpendAt(nextSample)));
            nextSample += sampleInterval;
        }
    }
}

/// <summary>One point of the chart: on-prem utilization, pending jobs and cloud spend so far.</summary>
public sealed record ReplaySample(long TimeS, double OnPremUtilization, int QueueLength, decimal CloudSpend);
