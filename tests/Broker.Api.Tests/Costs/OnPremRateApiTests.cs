using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Costs;

public sealed class OnPremRateApiTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task Ops_adds_a_future_rate_that_finance_reads_back_and_a_past_one_is_refused_naming_the_field()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var from = DateTimeOffset.UtcNow.AddDays(3);

        using var created = await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from, usdPerGpuHour = 1.75m });
        using var past = await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from.AddDays(-10), usdPerGpuHour = 1.75m });
        using var negative = await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from.AddDays(1), usdPerGpuHour = -1 });
        using var unknownField = await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from.AddDays(1), usdPerGpuHour = 1, team = "x" });
        using var byFinance = await finance.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from.AddDays(2), usdPerGpuHour = 1 });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, past.StatusCode);
        Assert.True((await JobApi.ProblemAsync(past)).RootElement.GetProperty("errors").TryGetProperty("effectiveFrom", out _));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, negative.StatusCode);
        Assert.True((await JobApi.ProblemAsync(negative)).RootElement.GetProperty("errors").TryGetProperty("usdPerGpuHour", out _));
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byFinance.StatusCode);
        var rates = await finance.GetFromJsonAsync<JsonObject>("/v1/costs/onprem-rates");
        Assert.Equal(1.2m, rates!["currentUsdPerGpuHour"]!.GetValue<decimal>());
        var rate = Assert.Single(rates["rates"]!.AsArray());
        Assert.Equal(1.75m, rate!["usdPerGpuHour"]!.GetValue<decimal>());
    }
}
