using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Offers;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Providers;

public sealed class ProvidersEndpointTests(SimulatedProvidersApp app) : IClassFixture<SimulatedProvidersApp>
{
    [Theory]
    [InlineData("ops", HttpStatusCode.OK)]
    [InlineData("admin", HttpStatusCode.OK)]
    [InlineData("submitter", HttpStatusCode.Forbidden)]
    [InlineData("finance", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Providers_are_for_ops(string? role, HttpStatusCode expected)
    {
        using var client = app.ClientWithKey(role is null ? null : await app.CreateKeyAsync(role, role == "submitter" ? "team" : null));

        using var response = await client.GetAsync("/v1/providers");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Simulated_providers_are_listed_as_such_with_unknown_health_before_any_call()
    {
        var items = await ProvidersAsync();

        Assert.Equal(["aws", "azure", "gcp"], items.Select(i => i.Str("name")));
        Assert.All(items, i => Assert.Equal("simulated", i.Str("kind")));
        Assert.Equal("unknown", items.Single(i => i.Str("name") == "aws")["health"]!.Str("status"));
        Assert.All(items, i => Assert.Null(i["lastPriceRefresh"]));
    }

    [Fact]
    public async Task A_credential_error_shows_the_provider_unhealthy_with_the_code_until_a_call_succeeds()
    {
        var health = app.Services.GetRequiredService<ProviderHealth>();
        await health.RecordFailureAsync(new ProviderException("azure", ProviderErrorKind.Auth, BlockScope.None, "AuthorizationFailed",
            "The client does not have authorization to perform action 'Microsoft.Compute/virtualMachines/write'."), default);

        var failing = (await ProvidersAsync()).Single(i => i.Str("name") == "azure")["health"]!;
        await health.RecordSuccessAsync("azure", default);
        var recovered = (await ProvidersAsync()).Single(i => i.Str("name") == "azure")["health"]!;

        Assert.Equal(("unhealthy", "AuthorizationFailed"), (failing.Str("status"), failing.Str("errorCode")));
        Assert.Equal("healthy", recovered.Str("status"));
        Assert.Null(recovered["errorCode"]);
    }

    [Fact]
    public async Task Repeated_server_errors_show_the_circuit_open_with_the_time_it_refuses_until_then_closed_after_a_success()
    {
        var health = app.Services.GetRequiredService<ProviderHealth>();
        var failuresToOpen = CircuitOptions.Default.FailuresToOpen;
        async Task<JsonObject> AzureHealthAsync() => (await ProvidersAsync()).Single(i => i.Str("name") == "azure")["health"]!.AsObject();
        Task FailAsync() => health.RecordFailureAsync(new ProviderException("azure", ProviderErrorKind.Transient, BlockScope.None,
            "InternalServerError", "The server encountered an internal error."), default);

        for (var i = 1; i < failuresToOpen; i++)
        {
            await FailAsync();
        }
        var almost = await AzureHealthAsync();
        var before = DateTimeOffset.UtcNow;
        await FailAsync();
        var open = await AzureHealthAsync();
        await health.RecordSuccessAsync("azure", default);
        var closed = await AzureHealthAsync();

        Assert.Equal(("closed", failuresToOpen - 1), (almost.Str("circuit"), almost["consecutiveFailures"]!.GetValue<int>()));
        Assert.Null(almost["refusingUntil"]);
        Assert.Equal(("open", failuresToOpen), (open.Str("circuit"), open["consecutiveFailures"]!.GetValue<int>()));
        Assert.True(open["refusingUntil"]!.GetValue<DateTimeOffset>() > before, open.ToJsonString());
        Assert.Equal(("closed", 0, "healthy"), (closed.Str("circuit"), closed["consecutiveFailures"]!.GetValue<int>(), closed.Str("status")));
        Assert.Null(closed["refusingUntil"]);
    }

    [Fact]
    public async Task A_live_block_shows_in_offers_and_in_providers()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var gcp = scope.ServiceProvider.GetRequiredService<ComputeProviders>().Get("gcp");
            var request = ProviderRegistryTests.Request("us-central1", "a3-highgpu-1g", CapacityType.Spot);
            await gcp.CreateAsync(request, CancellationToken.None);
            await Assert.ThrowsAsync<ProviderException>(() => gcp.CreateAsync(request with { AllocationId = Guid.NewGuid() }, CancellationToken.None));
        }
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "blocks"));

        var offers = await OfferListTests.ItemsAsync(client, "/v1/offers?provider=gcp&region=us-central1&gpuModel=h100");
        var providers = await ProvidersAsync();

        var blocked = Assert.Single(offers, o => o["blocked"]!.GetValue<bool>());
        Assert.Equal(("a3-highgpu-1g", "spot", "ZONE_RESOURCE_POOL_EXHAUSTED"),
            (blocked.Str("instanceType"), blocked.Str("market"), blocked.Str("blockedReason")));
        Assert.True(blocked["blockedUntil"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow);
        var gcpBlocks = providers.Single(i => i.Str("name") == "gcp")["blocks"]!.AsArray();
        var block = Assert.Single(gcpBlocks, b => b!.Str("target") == "gcp/us-central1/-/a3-highgpu-1g/Spot")!;
        Assert.Equal(("offering", "ZONE_RESOURCE_POOL_EXHAUSTED"), (block.Str("scope"), block.Str("reason")));
        Assert.Empty(providers.Single(i => i.Str("name") == "aws")["blocks"]!.AsArray());
    }

    private async Task<List<JsonObject>> ProvidersAsync()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var body = await ops.GetFromJsonAsync<JsonObject>("/v1/providers");
        return [.. body!["items"]!.AsArray().Select(i => i!.AsObject())];
    }
}
