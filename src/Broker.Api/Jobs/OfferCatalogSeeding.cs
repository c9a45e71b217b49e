using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

// Namespace differs from the folder on purpose: a Broker.Api.Jobs namespace would hide the API tests' Jobs helper class.
namespace Broker.Api.Jobs;

/// <summary>At start-up (after migrations), loads the seed catalog into an empty <c>offers</c> table and logs the load summary.</summary>
public sealed class OfferCatalogSeeding(IServiceScopeFactory scopes, CatalogLoadResult seed, ILogger<OfferCatalogSeeding> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var inserted = await scope.ServiceProvider.GetRequiredService<OfferSeeder>().SeedIfEmptyAsync(seed.Offers, cancellationToken);
        logger.LogInformation("Offer catalog: {Summary}; {Inserted} offers inserted", seed.Summary(), inserted);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
