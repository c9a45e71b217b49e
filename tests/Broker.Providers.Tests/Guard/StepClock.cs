using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Guard;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when code starts waiting on it (Task.Delay creates a timer), so
/// the test advances time only once a delay is pending and never sleeps for real.
/// </summary>
public sealed class StepClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim timerSignal = new(0);

    private int timers;

    public int TimersCreated => Volatile.Read(ref timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref timers);
        timerSignal.Release();
        return timer;
    }

    /// <summary>Waits until someone is waiting on this clock, then moves time on by <paramref name="by"/>.</summary>
    public async Task AdvanceOnceWaitingAsync(TimeSpan by)
    {
        if (!await timerSignal.WaitAsync(HangGuard))
        {
            throw new TimeoutException("nothing started waiting on the clock");
        }
        Advance(by);
    }
}
