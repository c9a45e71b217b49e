using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Capacity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class OffersEndpoints
{
    public static IEndpointRouteBuilder MapOffers(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/offers").WithTags("Offers").RequireAuthorization(Policies.AnyRole)
            .MapGet("/", List).WithName("listOffers")
            .WithSummary("Cloud GPU offers per market, cheapest GPU-hour first, with spot interruption estimates and live blocks")
            .ProducesValidationProblem();
        return app;
    }

    public static async Task<Results<Ok<OfferListResponse>, ValidationProblem>> List(
        [AsParameters] OfferListQuery query, OfferCatalogService catalog, UnavailableOfferCache unavailable, CancellationToken ct)
    {
        var (offerQuery, limit, errors) = query.Parse();
        if (offerQuery is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The offer query is not valid");
        }
        var offers = await catalog.QueryAsync(offerQuery, limit, ct);
        await unavailable.RefreshAsync(ct);
        return TypedResults.Ok(new OfferListResponse([.. offers.Select(o => o.ToResponse(unavailable.Find(o.Key)))]));
    }
}
