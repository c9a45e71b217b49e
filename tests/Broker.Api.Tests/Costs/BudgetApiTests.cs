using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Costs;

public sealed class BudgetApiTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task Finance_sets_a_monthly_budget_that_reads_back_with_its_current_period()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var put = await finance.PutAsJsonAsync("/v1/budgets/vision", new { amountUsd = 5000, softPercent = 75 });
        var budget = (await finance.GetFromJsonAsync<JsonObject>("/v1/budgets/vision"))!;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(("vision", 5000m, 75m, 100m, 3750m, 5000m, "monthly"), (budget.Str("team"), budget["amountUsd"]!.GetValue<decimal>(),
            budget["softPercent"]!.GetValue<decimal>(), budget["hardPercent"]!.GetValue<decimal>(), budget["softLimitUsd"]!.GetValue<decimal>(),
            budget["hardLimitUsd"]!.GetValue<decimal>(), budget.Str("period")));
        var current = budget["current"]!;
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), current["start"]!.GetValue<DateTimeOffset>());
        Assert.Equal(("ok", 0m, 5000m), (current.Str("state"), current["committedUsd"]!.GetValue<decimal>(), current["remainingUsd"]!.GetValue<decimal>()));
        var events = await finance.GetFromJsonAsync<JsonObject>("/v1/budgets/vision/events");
        Assert.Equal("set", events!["items"]!.AsArray().Single()!.Str("kind"));
    }

    public static TheoryData<string, string> InvalidBudgets => new()
    {
        { """{"softPercent": 50}""", "amountUsd" },
        { """{"amountUsd": -1}""", "amountUsd" },
        { """{"amountUsd": 10.1234567}""", "amountUsd" },
        { """{"amountUsd": 10, "softPercent": 120}""", "softPercent" },
        { """{"amountUsd": 10, "hardPercent": 0}""", "hardPercent" },
        { """{"amountUsd": 10, "period": "weekly"}""", "period" },
        { """{"amountUsd": 10, "period": "custom", "to": "2027-01-01T00:00:00Z"}""", "from" },
        { """{"amountUsd": 10, "period": "custom", "from": "2027-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}""", "to" },
        { """{"amountUsd": 10, "from": "2027-01-01T00:00:00Z"}""", "from" },
    };

    [Theory]
    [MemberData(nameof(InvalidBudgets))]
    public async Task An_invalid_budget_is_refused_with_422_naming_the_field(string body, string field)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var response = await ops.PutAsync("/v1/budgets/nlp", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await JobApi.ProblemAsync(response)).RootElement.GetProperty("errors").TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task Unknown_fields_bad_team_names_and_other_roles_are_refused()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "nlp"));
        using var admin = app.ClientWithKey(BrokerAppAdmin());

        using var unknown = await ops.PutAsJsonAsync("/v1/budgets/nlp", new { amountUsd = 10, spentUsd = 0 });
        using var controlInTeam = await ops.PutAsJsonAsync("/v1/budgets/nlp%0A", new { amountUsd = 10 });
        using var badTeam = await ops.PutAsJsonAsync("/v1/budgets/NLP", new { amountUsd = 10 });
        using var bySubmitter = await submitter.PutAsJsonAsync("/v1/budgets/nlp", new { amountUsd = 10 });
        using var byAdmin = await admin.PutAsJsonAsync("/v1/budgets/nlp", new { amountUsd = 10 });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, controlInTeam.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySubmitter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
    }

    [Fact]
    public async Task A_submitter_sees_its_own_teams_budget_only()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        (await ops.PutAsJsonAsync("/v1/budgets/mine", new { amountUsd = 10 })).Dispose();
        (await ops.PutAsJsonAsync("/v1/budgets/theirs", new { amountUsd = 20 })).Dispose();
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "mine"));

        var list = await submitter.GetFromJsonAsync<JsonObject>("/v1/budgets");
        using var own = await submitter.GetAsync("/v1/budgets/mine");
        using var other = await submitter.GetAsync("/v1/budgets/theirs");
        using var otherEvents = await submitter.GetAsync("/v1/budgets/theirs/events");

        Assert.Equal(["mine"], list!["items"]!.AsArray().Select(b => b!.Str("team")));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherEvents.StatusCode);
    }

    private static string BrokerAppAdmin() => BrokerApp.AdminKey;
}
