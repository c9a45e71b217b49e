using Microsoft.Extensions.Logging;

namespace Broker.Core.Telemetry;

/// <summary>
/// The last value of an expensive read, reloaded at most once per <c>ttl</c>: the gauges of one scrape (and of scrapes
/// closer together than the ttl) share one read. Loads are serialized; a failed load yields <c>empty</c> (stale numbers
/// would look healthy) and is tried again on the next scrape after the ttl.
/// </summary>
public sealed class SnapshotCache<T>(Func<CancellationToken, Task<T>> load, T empty, TimeSpan ttl, TimeProvider clock, ILogger logger)
    where T : class
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(10);
    private readonly Lock gate = new();
    private readonly T empty = empty;
    private T? current;
    private DateTimeOffset loadedAt = DateTimeOffset.MinValue;

    public T Get()
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (now - loadedAt < ttl)
            {
                return current ?? empty;
            }
            try
            {
                using var timeout = new CancellationTokenSource(LoadTimeout);
                // Observable instruments are read synchronously; the load runs on the pool, not on the caller's context.
                current = Task.Run(() => load(timeout.Token), timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Could not read the {Snapshot} for the metrics; its gauges are left out of this scrape", typeof(T).Name);
                current = empty;
            }
            loadedAt = clock.GetUtcNow();
            return current ?? empty;
        }
    }
}
