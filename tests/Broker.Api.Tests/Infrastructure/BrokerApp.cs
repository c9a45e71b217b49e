using System.Net.Http.Headers;
using System.Net.Http.Json;
using Broker.Core.Persistence;
using Broker.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Infrastructure;

/// <summary>The real API in-process, on its own fresh PostgreSQL database, migrated by the app's own start-up.</summary>
public class BrokerApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "brk_test-admin-key-0123456789abcdefghijklmnop";

    /// <summary>The test hosts' <c>Secrets:Key</c> (32 bytes, base64).</summary>
    public const string SecretsKey = "dGVzdC1zZWNyZXRzLWtleS0wMTIzNDU2Nzg5YWJjZGU=";

    public string ConnectionString { get; private set; } = "";

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
    };

    /// <summary>Registers test doubles after the app's own services (the last registration wins).</summary>
    protected virtual void OverrideServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        StartServer();
    }

    /// <summary>The database this app runs on: a fresh one on the shared test server unless a subclass says otherwise.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => PostgresServer.CreateDatabaseAsync("api");

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Broker", ConnectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Hangfire:ServerEnabled", "false");
        builder.UseSetting("Bootstrap:AdminKey", AdminKey);
        builder.UseSetting("Callbacks:Secret", "test-callback-secret-0123456789abcdefghij");
        builder.UseSetting("Secrets:Key", SecretsKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The in-process test host has no port Slurm's batch scripts could post to; the reconciler reports their jobs.
        builder.UseSetting("Lifecycle:OnPremCallbacks", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(OverrideServices);
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public async Task<string> CreateKeyAsync(string role, string? team = null)
    {
        using var admin = ClientWithKey(AdminKey);
        var response = await admin.PostAsJsonAsync("/v1/api-keys", new { name = $"{role} {team}", role, team });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<CreatedKey>();
        return body!.Key;
    }

    public BrokerDbContext NewDbContext()
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(ConnectionString);
        return new BrokerDbContext(options.Options);
    }

    private sealed record CreatedKey(Guid Id, string Key);
}
