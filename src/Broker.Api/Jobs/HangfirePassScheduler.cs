using Broker.Core.Scheduling;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>Timed placement passes as Hangfire delayed jobs (the server polls its schedule every second).</summary>
public sealed class HangfirePassScheduler(IBackgroundJobClient jobs) : IPassScheduler
{
    public void ScheduleAt(DateTimeOffset at) => jobs.Schedule<PlacementPassJob>(j => j.RunTimedAsync(CancellationToken.None), at);
}
