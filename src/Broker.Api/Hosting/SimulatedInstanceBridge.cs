using Broker.Core.Provisioning;
using Broker.Providers.Simulated;

namespace Broker.Api.Hosting;

/// <summary>
/// Feeds what simulated instances do into the same handling the instance callback endpoint uses, standing in for the boot
/// script's HTTP calls. Each event is handled on its own scope, off the simulated cloud's timer thread.
/// </summary>
public sealed class SimulatedInstanceBridge(SimulatedInstanceEvents events, IServiceScopeFactory scopes, ILogger<SimulatedInstanceBridge> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Raised += OnRaised;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        events.Raised -= OnRaised;
        return Task.CompletedTask;
    }

    private void OnRaised(SimulatedInstanceEvent e) => _ = Task.Run(() => HandleAsync(e));

    private async Task HandleAsync(SimulatedInstanceEvent e)
    {
        var kind = e.Kind switch
        {
            SimulatedEventKind.Started => InstanceEventKind.Started,
            SimulatedEventKind.Finished => InstanceEventKind.Finished,
            _ => InstanceEventKind.InterruptionNotice,
        };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AllocationWorker>().HandleEventAsync(e.AllocationId, kind, e.ExitCode, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The reconciler converges anyway (a vanished or finished instance is found by listing); log and move on.
            logger.LogWarning(ex, "Simulated {Kind} of allocation {Allocation} was not applied", e.Kind, e.AllocationId);
        }
    }
}
