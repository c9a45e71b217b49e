using Broker.Core.Provisioning;
using Broker.Providers.Simulated;

namespace Broker.Api.Hosting;

/// <summary>
/// Feeds what simulated instances do into the same handling the instance callback endpoint uses, standing in for the boot
/// script's HTTP calls: the same fixed seq per kind the boot script sends (<see cref="InstanceEvent.SeqOf"/>), the same
/// seq and state rules, a cloud-instance purpose; only the token check is left out, there being no HTTP. Events are
/// handled off the simulated cloud's timer thread, one allocation's in the order they happened (as a boot script posts
/// them one after the other), different allocations' side by side, at most <see cref="MaxConcurrentEvents"/> at once so a
/// burst of simulated events cannot take every database connection. Like the boot script, the bridge retries an event
/// it could not deliver (database down, connections exhausted) with backoff, a bounded number of times. The simulated
/// job's output (<see cref="SimulatedInstanceEvent.Output"/>) is shipped into the log store before its event, as the boot
/// script ships its logs.
/// </summary>
public sealed class SimulatedInstanceBridge(SimulatedInstanceEvents events, IServiceScopeFactory scopes, ILogger<SimulatedInstanceBridge> logger)
    : IHostedService
{
    public const int MaxConcurrentEvents = 4;
    private const int MaxAttempts = 8;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Task> tails = [];
    private readonly SemaphoreSlim running = new(MaxConcurrentEvents);

    /// <summary>
    /// Subscribes, then delivers what the feed already holds: a boot script retries its callbacks until Broker answers, so
    /// a process that was down when an instance started still hears of it (events already recorded come back as
    /// duplicates; ones for ended allocations are refused and logged). Under the gate, so an event raised meanwhile queues
    /// behind the backlog and one allocation's events keep their order.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            events.Raised += OnRaised;
            foreach (var e in events.Since(0))
            {
                OnRaised(e);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        events.Raised -= OnRaised;
        return Task.CompletedTask;
    }

    private void OnRaised(SimulatedInstanceEvent e)
    {
        lock (gate)
        {
            var previous = tails.GetValueOrDefault(e.AllocationId, Task.CompletedTask);
            var next = previous.ContinueWith(_ => HandleAsync(e), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            tails[e.AllocationId] = next;
            next.ContinueWith(_ => Forget(e.AllocationId, next), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Forget(Guid allocationId, Task finished)
    {
        lock (gate)
        {
            if (tails.TryGetValue(allocationId, out var tail) && tail == finished)
            {
                tails.Remove(allocationId);
            }
        }
    }

    /// <summary>
    /// The job's output first, as the boot script flushes its logs before <c>finished</c>: into the same store the logs
    /// endpoint writes, idempotent by stream and offset, so a redelivered event stores nothing twice.
    /// </summary>
    private static async Task ShipOutputAsync(Core.Logs.LogStore logs, SimulatedInstanceEvent e)
    {
        var chunks = (e.Output ?? []).Where(c => Core.Logs.LogStreams.IsKnown(c.Stream))
            .Select(c => new Core.Logs.LogChunkText(c.Stream, c.Offset, c.Text)).ToList();
        if (chunks.Count > 0)
        {
            await logs.AppendAllAsync(e.AllocationId, chunks, CancellationToken.None);
        }
    }

    private async Task HandleAsync(SimulatedInstanceEvent e)
    {
        var kind = e.Kind switch
        {
            SimulatedEventKind.Started => InstanceEventKind.Started,
            SimulatedEventKind.Finished => InstanceEventKind.Finished,
            _ => InstanceEventKind.InterruptionNotice,
        };
        for (var attempt = 1; ; attempt++)
        {
            await running.WaitAsync();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await ShipOutputAsync(scope.ServiceProvider.GetRequiredService<Core.Logs.LogStore>(), e);
                var worker = scope.ServiceProvider.GetRequiredService<AllocationWorker>();
                var member = kind == InstanceEventKind.InterruptionNotice ? e.Member : null;
                var outcome = await worker.HandleEventAsync(new InstanceEvent(e.AllocationId, kind, InstanceEvent.SeqOf(kind), e.ExitCode,
                    Member: member), CallbackPurpose.CloudInstance, CancellationToken.None);
                if (outcome.Result is not (InstanceEventResult.Accepted or InstanceEventResult.Duplicate))
                {
                    logger.LogInformation("Simulated {Kind} of allocation {Allocation} refused ({Code}): {Reason}", e.Kind, e.AllocationId,
                        outcome.Code, outcome.Reason);
                }
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && attempt < MaxAttempts)
            {
                logger.LogInformation("Simulated {Kind} of allocation {Allocation} not delivered (attempt {Attempt}): {Reason}", e.Kind,
                    e.AllocationId, attempt, ex.Message);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Given up: the reconciler converges anyway (a vanished or finished instance is found by listing).
                logger.LogWarning(ex, "Simulated {Kind} of allocation {Allocation} was not applied", e.Kind, e.AllocationId);
                return;
            }
            finally
            {
                running.Release();
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << attempt)));
        }
    }
}
