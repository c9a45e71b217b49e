using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Costs;

namespace Broker.Api.Tests.Costs;

public sealed class CorrectionTests(CostsApp app) : IClassFixture<CostsApp>
{
    [Fact]
    public async Task A_correction_is_a_new_entry_with_the_difference_that_reports_and_budgets_follow()
    {
        var now = DateTimeOffset.UtcNow;
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        (await finance.PutAsJsonAsync("/v1/budgets/fixes", new { amountUsd = 1000, period = "custom", from = now.AddDays(-2), to = now.AddDays(2) }))
            .EnsureSuccessStatusCode();
        var job = await app.SubmitAsync("fixes");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, UtcDays.YesterdayAtTen(now), UtcDays.YesterdayAtTen(now).AddHours(1),
            instanceType: "p5.48xlarge", region: "us-east-1");
        await app.RecordAsync(allocation.Id);
        var original = Assert.Single(await app.EntriesAsync(allocation.Id));

        using var corrected = await finance.PostAsJsonAsync($"/v1/costs/entries/{original.Id}/corrections", new { costUsd = 30, reason = "EC2 credit for an impaired host" });
        using var again = await finance.PostAsJsonAsync($"/v1/costs/entries/{original.Id}/corrections", new { costUsd = 30, reason = "twice" });
        using var noReason = await finance.PostAsJsonAsync($"/v1/costs/entries/{original.Id}/corrections", new { costUsd = 31 });
        using var unknown = await finance.PostAsJsonAsync("/v1/costs/entries/999999/corrections", new { costUsd = 1, reason = "x" });
        using var bySubmitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "fixes"));
        using var forbidden = await bySubmitter.PostAsJsonAsync($"/v1/costs/entries/{original.Id}/corrections", new { costUsd = 0, reason = "free" });

        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        var correction = (await corrected.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("correction", original.Id, -6m), (correction.Str("kind"), correction["correctsEntryId"]!.GetValue<long>(),
            correction["costUsd"]!.GetValue<decimal>()));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(36m, (await app.EntriesAsync(allocation.Id)).Single(e => e.Kind == CostEntryKind.Usage).Cost);

        var listed = await bySubmitter.GetFromJsonAsync<JsonObject>($"/v1/costs/entries?jobId={job.Id}");
        Assert.Equal(["usage", "correction"], listed!["items"]!.AsArray().Select(e => e!.Str("kind")));
        var report = await finance.GetFromJsonAsync<JsonObject>(
            $"/v1/reports/costs?from={Uri.EscapeDataString(UtcDays.StartOfYesterday(now).ToString("O"))}&team=fixes");
        Assert.Equal((30m, 6m), (report!["totals"]!["costUsd"]!.GetValue<decimal>(), report["totals"]!["savingsUsd"]!.GetValue<decimal>()));
        var budget = await finance.GetFromJsonAsync<JsonObject>("/v1/budgets/fixes");
        Assert.Equal(30m, budget!["current"]!["spentUsd"]!.GetValue<decimal>());
        var cost = (await bySubmitter.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id}"))!["cost"]!;
        Assert.Equal(30m, cost["soFarUsd"]!.GetValue<decimal>());
    }

}
