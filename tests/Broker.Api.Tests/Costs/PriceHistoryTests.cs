using Broker.Api.Jobs;
using Broker.Api.Tests.Offers;
using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Costs;

public sealed class PriceHistoryTests(RefreshApp app) : IClassFixture<RefreshApp>
{
    [Fact]
    public async Task A_refresh_that_changes_a_price_records_the_change_once_for_the_ledger_to_split_at()
    {
        await using var db = app.NewDbContext();
        var before = await db.Offers.AsNoTracking().SingleAsync(o => o.Provider == "aws" && o.Region == "us-west-2" && o.InstanceType == "p5.48xlarge");
        app.Aws.Reset();
        app.Aws.Quotes = [new PriceQuote("aws", "us-west-2", null, "p5.48xlarge", CapacityType.Spot, 19.5m, DateTimeOffset.UtcNow)];

        await RunAsync();
        await RunAsync();

        var changes = await db.OfferPriceChanges.AsNoTracking()
            .Where(c => c.Provider == "aws" && c.Region == "us-west-2" && c.InstanceType == "p5.48xlarge").ToListAsync();
        var change = Assert.Single(changes);
        Assert.Equal((CapacityType.Spot, before.SpotPerHour, (decimal?)19.5m), (change.Market, change.PreviousPricePerHour, change.PricePerHour));
        var after = await db.Offers.AsNoTracking().SingleAsync(o => o.Id == before.Id);
        Assert.Equal(after.UpdatedAt, change.At);
    }

    private async Task RunAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PriceRefreshJob>().RunAsync("aws", CancellationToken.None);
    }
}
