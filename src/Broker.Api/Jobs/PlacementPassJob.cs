using Broker.Core.Scheduling;
using Hangfire;

namespace Broker.Api.Background;

/// <summary>A placement pass, on a short schedule and whenever jobs arrive; the allocations it writes go to provisioning.</summary>
public sealed class PlacementPassJob(PlacementRound round, IBackgroundJobClient jobs)
{
    public const string Id = "placement:pass";

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var allocation in await round.RunAsync(cancellationToken))
        {
            jobs.Enqueue<ProvisionAllocationJob>(j => j.RunAsync(allocation, CancellationToken.None));
        }
    }
}
