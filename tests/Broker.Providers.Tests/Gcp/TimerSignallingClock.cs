using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Gcp;

/// <summary>A fake clock that says when someone starts waiting on it, so a test advances it only once a delay is pending.</summary>
internal sealed class TimerSignallingClock : FakeTimeProvider
{
    private readonly List<TimeSpan> dueTimes = [];

    public SemaphoreSlim TimerCreated { get; } = new(0);

    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (dueTimes)
            {
                return dueTimes.ToList();
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (dueTimes)
        {
            dueTimes.Add(dueTime);
        }
        TimerCreated.Release();
        return timer;
    }
}
