using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Core.Persistence;

/// <summary>
/// Gives process-wide caches of shared state (offer blocks, provider health) a short-lived database context of their own,
/// and tells a database that cannot be reached from other errors.
/// </summary>
public sealed class SharedStateScope(IServiceScopeFactory scopes)
{
    public async Task<T> RunAsync<T>(Func<BrokerDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<BrokerDbContext>());
    }

    /// <summary>The database is down, refused, timed out or the write lost a race: the caller keeps its own view.</summary>
    public static bool IsDatabaseFault(Exception e) => e is DbException or DbUpdateException or TimeoutException
        || (e is InvalidOperationException && e.InnerException is DbException or TimeoutException);
}
