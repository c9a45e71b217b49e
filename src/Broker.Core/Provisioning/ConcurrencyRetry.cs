using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Provisioning;

public static class ConcurrencyRetry
{
    /// <summary>
    /// Runs load-change-save until it saves without a concurrency conflict. Each attempt starts from a clean change tracker
    /// and re-reads, so a step that lost the race sees the winner's rows and usually finds nothing left to do.
    /// </summary>
    public static async Task<T> RunAsync<T>(BrokerDbContext db, Func<Task<T>> attempt, int maxAttempts = 8)
    {
        for (var i = 1; ; i++)
        {
            db.ChangeTracker.Clear();
            try
            {
                var result = await attempt();
                await db.SaveChangesAsync();
                return result;
            }
            catch (DbUpdateConcurrencyException) when (i < maxAttempts)
            {
            }
        }
    }
}
