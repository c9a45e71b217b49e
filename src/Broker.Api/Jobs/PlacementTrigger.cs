using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>
/// Asks for a placement pass when jobs arrive, at most once every two seconds per process: a burst of submits shares one
/// pass (the recurring pass is the guarantee; this only shortens the wait).
/// </summary>
public sealed class PlacementTrigger(IBackgroundJobClient jobs, TimeProvider clock)
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);
    private long lastTicks;

    public void Request()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref lastTicks);
        if (now - last >= MinInterval.Ticks && Interlocked.CompareExchange(ref lastTicks, now, last) == last)
        {
            jobs.Enqueue<PlacementPassJob>(j => j.RunAsync(CancellationToken.None));
        }
    }
}
