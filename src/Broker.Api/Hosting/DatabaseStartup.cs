using Broker.Core.Auth;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Hosting;

/// <summary>Start-up work that must finish before requests are served: migrations (when configured) and the bootstrap admin key.</summary>
public static class DatabaseStartup
{
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStartup));
        if (app.Configuration.GetValue("Database:MigrateOnStartup", false))
        {
            var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
            await db.Database.MigrateAsync();
            logger.LogInformation("Database migrations applied");
        }
        if (app.Configuration["Bootstrap:AdminKey"] is { Length: > 0 } adminKey)
        {
            if (!adminKey.StartsWith(ApiKeySecret.Marker, StringComparison.Ordinal) || adminKey.Length < 32)
            {
                throw new InvalidOperationException($"Bootstrap:AdminKey must start with '{ApiKeySecret.Marker}' and be at least 32 characters.");
            }
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            var created = await keys.CreateWithSecretAsync("bootstrap admin", ApiKeyRole.Admin, null, adminKey, CancellationToken.None);
            logger.LogInformation("Bootstrap admin key {Prefix}… is present", created.Key.Prefix);
        }
    }
}
