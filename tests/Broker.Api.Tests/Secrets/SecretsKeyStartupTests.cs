using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Secrets;

/// <summary>Broker refuses to start when stored secrets could not be opened with its Secrets:Key (ADR 0015).</summary>
public sealed class SecretsKeyStartupTests
{
    private sealed class KeyedApp(string? connectionString, string key) : BrokerApp
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["RateLimiting:PermitsPerSecond"] = "100000",
            ["RateLimiting:Burst"] = "100000",
            ["Secrets:Key"] = key,
        };

        protected override Task<string> CreateDatabaseAsync() =>
            connectionString is null ? base.CreateDatabaseAsync() : Task.FromResult(connectionString);
    }

    [Fact]
    public async Task Without_a_key_or_with_another_one_Broker_does_not_start_once_secrets_are_stored()
    {
        await using var first = new KeyedApp(null, BrokerApp.SecretsKey);
        await ((IAsyncLifetime)first).InitializeAsync();
        await using var keyless = new KeyedApp(first.ConnectionString, "");
        await ((IAsyncLifetime)keyless).InitializeAsync();
        using (var ops = keyless.ClientWithKey(await keyless.CreateKeyAsync("ops")))
        {
            using var refused = await ops.PostAsync("/v1/secrets", System.Net.Http.Json.JsonContent.Create(new { name = "early", value = "x" }));
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }
        using (var ops = first.ClientWithKey(await first.CreateKeyAsync("ops")))
        {
            using var created = await ops.PostAsync("/v1/secrets", System.Net.Http.Json.JsonContent.Create(new { name = "stored", value = "x" }));
            Assert.True(created.IsSuccessStatusCode);
        }

        var noKey = await StartFailureAsync(new KeyedApp(first.ConnectionString, ""));
        var wrongKey = await StartFailureAsync(new KeyedApp(first.ConnectionString, Convert.ToBase64String(new byte[32])));
        await using var sameKey = new KeyedApp(first.ConnectionString, BrokerApp.SecretsKey);
        await ((IAsyncLifetime)sameKey).InitializeAsync();

        Assert.Contains("Secrets:Key is not set", noKey, StringComparison.Ordinal);
        Assert.Contains("is not the key the stored secrets were sealed with", wrongKey, StringComparison.Ordinal);
    }

    private static async Task<string> StartFailureAsync(BrokerApp app)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());
        try
        {
            await app.DisposeAsync();
        }
        catch (InvalidOperationException)
        {
            // The host never started; there is nothing to stop.
        }
        return failure.ToString();
    }

    [Fact]
    public async Task A_key_that_is_not_the_base64_of_32_bytes_stops_the_start()
    {
        var error = await StartFailureAsync(new KeyedApp(null, "c2hvcnQ="));

        Assert.Contains("must be the base64 of exactly 32", error, StringComparison.Ordinal);
    }
}
