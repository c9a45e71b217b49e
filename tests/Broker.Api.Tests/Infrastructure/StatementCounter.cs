using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Broker.Api.Tests.Infrastructure;

/// <summary>Counts the app's statements whose SQL matches (an EF interceptor, added with <c>ConfigureDbContext</c>).</summary>
public sealed class StatementCounter(Func<string, bool> matches) : DbCommandInterceptor
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (matches(command.CommandText))
        {
            Interlocked.Increment(ref count);
        }
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}
