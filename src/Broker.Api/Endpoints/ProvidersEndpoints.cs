using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Capacity;
using Broker.Core.Policies;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class ProvidersEndpoints
{
    public static IEndpointRouteBuilder MapProviders(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/providers").WithTags("Providers").RequireAuthorization(Policies.Operate)
            .MapGet("/", List).WithName("listProviders")
            .WithSummary("Each cloud provider: real or simulated, health, live capacity blocks, last price refresh");
        return app;
    }

    public static async Task<Ok<ProviderListResponse>> List(ComputeProviders providers, IEnumerable<IPriceSource> priceSources,
        ProviderHealth health, UnavailableOfferCache unavailable, OfferCatalogService catalog, CloudStops stops, CancellationToken ct)
    {
        var bursting = await BurstingEndpoints.StateAsync(stops, ct);
        await health.RefreshAsync(ct);
        await unavailable.RefreshAsync(ct);
        var statuses = health.Snapshot().ToDictionary(s => s.Provider, StringComparer.Ordinal);
        var refreshes = await catalog.LatestRefreshesAsync(ct);
        var blocks = unavailable.Live()
            .Select(b => (Key: ProviderMapping.SplitBlockKey(b.Key), b.Value))
            .ToLookup(b => b.Key.Provider, b => new OfferBlockResponse(b.Value.Scope, b.Key.Target, b.Value.Reason, b.Value.Until),
                StringComparer.Ordinal);
        var names = providers.Names.Union(priceSources.Select(s => s.Provider), StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return TypedResults.Ok(new ProviderListResponse([.. names.Select(name => new ProviderResponse(
            name, providers.Kind, statuses.GetValueOrDefault(name).ToResponse(), [.. blocks[name]],
            refreshes.TryGetValue(name, out var run) ? run.ToResponse() : null,
            bursting.DrainedProviders.FirstOrDefault(d => d.Scope == name)))], bursting));
    }
}
