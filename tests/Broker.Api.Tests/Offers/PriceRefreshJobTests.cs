using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Jobs;
using Broker.Api.Hosting;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Offers;

public sealed class PriceRefreshJobTests : IClassFixture<RefreshApp>
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);
    private readonly RefreshApp app;

    public PriceRefreshJobTests(RefreshApp app)
    {
        this.app = app;
        app.Aws.Reset();
    }

    [Fact]
    public async Task Refresh_job_applies_quotes_and_records_the_run()
    {
        app.Aws.Quotes =
        [
            Quote("us-east-1", "us-east-1a", "p5.48xlarge", CapacityType.Spot, 30m),
            Quote("us-east-1", "us-east-1b", "p5.48xlarge", CapacityType.Spot, 31m),
            Quote("us-east-1", null, "p5.48xlarge", CapacityType.OnDemand, 50m),
            Quote("us-east-1", null, "p99.imaginary", CapacityType.Spot, 1m),
        ];

        await RunJobAsync();

        var row = await RowAsync("us-east-1", "p5.48xlarge");
        Assert.Equal((50m, 30.5m), (row.OnDemandPerHour, row.SpotPerHour));
        Assert.Equal(DateOnly.FromDateTime(Observed.UtcDateTime), row.PricesAsOf);
        var run = await LastRunAsync();
        Assert.Equal((true, 1, 3, 1, 0, (string?)null),
            (run.Succeeded, run.OffersUpdated, run.QuotesApplied, run.QuotesUnknown, run.QuotesRejected, run.Reason));
    }

    [Fact]
    public async Task A_failing_price_source_keeps_the_last_good_prices_and_records_why()
    {
        app.Aws.Quotes = [Quote("us-west-2", null, "p5.48xlarge", CapacityType.Spot, 17.25m)];
        await RunJobAsync();
        app.Aws.Failure = new HttpRequestException("ec2.us-west-2.amazonaws.com answered 503");

        await RunJobAsync();

        var row = await RowAsync("us-west-2", "p5.48xlarge");
        Assert.Equal((55.04m, 17.25m), (row.OnDemandPerHour, row.SpotPerHour));
        var run = await LastRunAsync();
        Assert.False(run.Succeeded);
        Assert.Equal("HttpRequestException: ec2.us-west-2.amazonaws.com answered 503", run.Reason);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var providers = await ops.GetFromJsonAsync<JsonObject>("/v1/providers");
        var aws = providers!["items"]!.AsArray().Single(p => p!.Str("name") == "aws")!["lastPriceRefresh"]!;
        Assert.False(aws["succeeded"]!.GetValue<bool>());
        Assert.Equal(run.Reason, aws.Str("reason"));
    }

    [Fact]
    public async Task Two_refreshes_running_at_once_write_the_same_rows_once()
    {
        app.Aws.Quotes =
        [
            Quote("eu-north-1", null, "p5.48xlarge", CapacityType.Spot, 7.5m),
            Quote("eu-north-1", null, "p5en.48xlarge", CapacityType.OnDemand, 66m),
        ];
        app.Aws.HoldUntilCallers = 2;
        var runsBefore = await RunCountAsync();

        await Task.WhenAll(RunJobAsync(), RunJobAsync());

        Assert.Equal(7.5m, (await RowAsync("eu-north-1", "p5.48xlarge")).SpotPerHour);
        Assert.Equal(66m, (await RowAsync("eu-north-1", "p5en.48xlarge")).OnDemandPerHour);
        await using var db = app.NewDbContext();
        var runs = await db.PriceRefreshes.OrderBy(r => r.Id).Skip(runsBefore).ToListAsync();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.True(r.Succeeded));
        Assert.Equal(2, runs.Sum(r => r.OffersUpdated));
    }

    [Fact]
    public async Task A_refresh_asks_only_for_the_configured_regions_and_leaves_other_regions_alone()
    {
        app.Aws.Quotes = [Quote("ap-south-1", null, "p5.48xlarge", CapacityType.Spot, 1.25m)];

        await RunJobAsync();

        Assert.Equal(["eu-north-1", "us-east-1", "us-west-2"], app.Aws.LastWanted.Select(k => k.Region).Distinct().Order());
        Assert.Contains(new PriceKey("us-east-1", "p5.48xlarge"), app.Aws.LastWanted);
        Assert.Equal(36.802133m, (await RowAsync("ap-south-1", "p5.48xlarge")).SpotPerHour);
        var run = await LastRunAsync();
        Assert.Equal((true, 0, 1), (run.Succeeded, run.QuotesApplied, run.QuotesUnknown));
    }

    [Fact]
    public void Each_price_source_gets_a_recurring_job_with_its_configured_schedule()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();

        app.Services.GetRequiredService<RecurringSchedules>().Register();
        var jobs = connection.GetRecurringJobs();

        var aws = Assert.Single(jobs, j => j.Id.StartsWith("prices:", StringComparison.Ordinal));
        Assert.Equal((PriceRefreshSchedule.JobId("aws"), "*/15 * * * *"), (aws.Id, aws.Cron));
        Assert.Equal(typeof(PriceRefreshJob), aws.Job.Type);
    }

    private async Task RunJobAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PriceRefreshJob>().RunAsync("aws", CancellationToken.None);
    }

    private async Task<Offer> RowAsync(string region, string instanceType)
    {
        await using var db = app.NewDbContext();
        return await db.Offers.SingleAsync(o => o.Provider == "aws" && o.Region == region && o.InstanceType == instanceType);
    }

    private async Task<PriceRefreshRun> LastRunAsync()
    {
        await using var db = app.NewDbContext();
        return await db.PriceRefreshes.OrderByDescending(r => r.Id).FirstAsync();
    }

    private async Task<int> RunCountAsync()
    {
        await using var db = app.NewDbContext();
        return await db.PriceRefreshes.CountAsync();
    }

    private static PriceQuote Quote(string region, string? zone, string instanceType, CapacityType market, decimal price) =>
        new("aws", region, zone, instanceType, market, price, Observed);
}
