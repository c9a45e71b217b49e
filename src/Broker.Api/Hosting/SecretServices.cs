using Broker.Core.Persistence;
using Broker.Core.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Hosting;

/// <summary>
/// <c>Secrets:Key</c> (the base64 of 32 random bytes) seals secret values at rest. Without it Broker runs with secrets
/// disabled (registering one is 503) as long as none are stored; with stored secrets it refuses to start, and so it does
/// when the key is malformed or is not the one the stored secrets were sealed with, because every job that references
/// them would otherwise fail only when it starts.
/// </summary>
public static class SecretServices
{
    public static IServiceCollection AddBrokerSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        var key = configuration["Secrets:Key"];
        services.AddSingleton(new SecretKeyring(string.IsNullOrWhiteSpace(key) ? null : SecretCipher.FromConfiguredKey(key)));
        services.AddScoped<SecretService>();
        return services;
    }

    public static async Task CheckSecretsKeyAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var keyring = scope.ServiceProvider.GetRequiredService<SecretKeyring>();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var keyIds = await db.Set<Secret>().Select(s => s.KeyId).Distinct().ToListAsync();
        if (keyIds.Count == 0)
        {
            return;
        }
        if (!keyring.IsConfigured)
        {
            throw new InvalidOperationException($"Secrets:Key is not set, and secrets sealed with it are stored (key {string.Join(", ", keyIds)}): "
                + "jobs that reference them could not start. Set Secrets:Key (scripts/secrets.sh makes .local/secrets.key).");
        }
        if (keyIds.Any(id => id != keyring.Cipher.KeyId))
        {
            throw new InvalidOperationException($"Secrets:Key (key {keyring.Cipher.KeyId}) is not the key the stored secrets were sealed with "
                + $"({string.Join(", ", keyIds.Where(id => id != keyring.Cipher.KeyId))}).");
        }
    }
}
