using System.Net;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Auth;
using Broker.Core.Persistence;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Api.Tests.Replicas;

/// <summary>A replica with a clock of its own and a count of its key reads, on a database another replica may have created.</summary>
public sealed class KeyCacheApp(string? connectionString) : BrokerApp
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public StatementCounter Reads { get; } = new(sql => sql.Contains("FROM api_keys", StringComparison.Ordinal));

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Auth:KeyCacheTtl"] = Ttl.ToString(),
    };

    protected override void OverrideServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
        services.ConfigureDbContext<BrokerDbContext>(options => options.AddInterceptors(Reads));
    }

    protected override Task<string> CreateDatabaseAsync() =>
        connectionString is null ? PostgresServer.CreateDatabaseAsync("key-cache") : Task.FromResult(connectionString);

    public async Task<HttpStatusCode> MeAsync(string key)
    {
        using var client = ClientWithKey(key);
        using var response = await client.GetAsync("/v1/me");
        return response.StatusCode;
    }
}

/// <summary>Two replicas on one database, each with its own key cache (<c>Auth:KeyCacheTtl</c>, ADR 0001).</summary>
public sealed class KeyCacheTests : IAsyncLifetime
{
    private KeyCacheApp first = null!;
    private KeyCacheApp second = null!;

    public async Task InitializeAsync()
    {
        first = new KeyCacheApp(null);
        await first.InitializeAsync();
        second = new KeyCacheApp(first.ConnectionString);
        await second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Requests_within_the_ttl_read_their_key_once_and_again_after_it()
    {
        var key = await first.CreateKeyAsync("finance");
        var before = first.Reads.Count;

        var firstCall = await first.MeAsync(key);
        var secondCall = await first.MeAsync(key);
        var readsWithinTtl = first.Reads.Count - before;
        first.Clock.Advance(KeyCacheApp.Ttl);
        var afterTtl = await first.MeAsync(key);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], [firstCall, secondCall, afterTtl]);
        Assert.Equal(1, readsWithinTtl);
        Assert.Equal(2, first.Reads.Count - before);
    }

    [Fact]
    public async Task A_key_unknown_a_moment_ago_works_at_once_on_every_replica()
    {
        var secret = ApiKeySecret.New();
        var unknownHere = await second.MeAsync(secret);
        var before = second.Reads.Count;
        var unknownAgain = await second.MeAsync(secret);
        var readsForUnknown = second.Reads.Count - before;

        await using (var scope = first.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateWithSecretAsync("new", ApiKeyRole.Ops, null, secret, default);
        }
        var created = await second.MeAsync(secret);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], [unknownHere, unknownAgain]);
        Assert.Equal(1, readsForUnknown);
        Assert.Equal(HttpStatusCode.OK, created);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_where_it_was_revoked_and_on_other_replicas_once_the_ttl_is_up()
    {
        var key = await first.CreateKeyAsync("ops");
        Guid id;
        await using (var db = first.NewDbContext())
        {
            id = await db.ApiKeys.Where(k => k.Hash == ApiKeySecret.Hash(key)).Select(k => k.Id).SingleAsync();
        }
        Assert.Equal(HttpStatusCode.OK, await first.MeAsync(key));
        Assert.Equal(HttpStatusCode.OK, await second.MeAsync(key));

        using (var admin = first.ClientWithKey(BrokerApp.AdminKey))
        {
            using var revoke = await admin.DeleteAsync($"/v1/api-keys/{id}");
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        var onRevoking = await first.MeAsync(key);
        var onOtherWithinTtl = await second.MeAsync(key);
        second.Clock.Advance(KeyCacheApp.Ttl - TimeSpan.FromMilliseconds(1));
        var onOtherJustBeforeTtl = await second.MeAsync(key);
        second.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var onOtherAfterTtl = await second.MeAsync(key);

        Assert.Equal(HttpStatusCode.Unauthorized, onRevoking);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [onOtherWithinTtl, onOtherJustBeforeTtl]);
        Assert.Equal(HttpStatusCode.Unauthorized, onOtherAfterTtl);
    }
}
