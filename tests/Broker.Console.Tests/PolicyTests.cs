using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class PolicyTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_refused_policy_edit_shows_the_apis_422_message_next_to_its_field_and_writes_nothing()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        await console.GoAsync("#/policies?scope=vision");
        await SaveAsync(page, "Allowed providers", "aws, nimbus");
        var error = page.Locator("[data-error-for='allowedProviders']");
        await Assertions.Expect(error).Not.ToBeEmptyAsync();

        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/policies/vision")
        {
            Content = new StringContent("""{"allowedProviders":["aws","nimbus"]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        using var refused = await api.SendAsync(request);
        Assert.Equal(422, (int)refused.StatusCode);
        var messages = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["allowedProviders[1]"]!.AsArray();
        Assert.Contains(messages[0]!.GetValue<string>(), await error.TextContentAsync(), StringComparison.Ordinal);

        var input = page.GetByLabel("Allowed providers");
        Assert.Equal("true", await input.GetAttributeAsync("aria-invalid"));
        Assert.Contains(await error.GetAttributeAsync("id"), (await input.GetAttributeAsync("aria-describedby"))!.Split(' '));
        await Assertions.Expect(input).ToBeFocusedAsync();
        Assert.Equal("", await page.Locator("[data-error-for='maxCloudGpus']").TextContentAsync());
        await console.ScreenshotAsync("policies-422");
        var current = (await api.GetFromJsonAsync<JsonObject>("/v1/policies/vision"))!;
        Assert.Equal(0, current["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_saved_edit_appears_in_the_history_with_its_diff_and_rolls_back_as_a_new_version()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        await console.GoAsync("#/policies?scope=nlp");
        await SaveAsync(page, "Max cloud GPUs (per team)", "12");
        await page.Locator("table[data-table='versions'] tr[data-key='1']").WaitForAsync();
        await SaveAsync(page, "Max cloud GPUs (per team)", "20");
        await page.Locator("table[data-table='versions'] tr[data-key='2']").WaitForAsync();

        await page.Locator("[data-diff-button='2']").ClickAsync();
        var changed = page.Locator("[data-diff='1-2'] tr[data-key='maxCloudGpus'] td[data-col='Changed']");
        await Assertions.Expect(changed).ToHaveTextAsync("changed");
        await Assertions.Expect(page.Locator("[data-diff='1-2'] tr[data-key='markets'] td[data-col='Changed']")).ToHaveTextAsync("");
        await console.ScreenshotAsync("policies-history");

        var rollback = page.Locator("[data-rollback='1']");
        await rollback.ClickAsync();
        await rollback.ClickAsync();
        await page.Locator("table[data-table='versions'] tr[data-key='3']").WaitForAsync();

        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        var current = (await api.GetFromJsonAsync<JsonObject>("/v1/policies/nlp"))!;
        Assert.Equal((3, 1, 12), (current["version"]!.GetValue<int>(), current["restoredFrom"]!.GetValue<int>(),
            current["document"]!["maxCloudGpus"]!.GetValue<int>()));
        Assert.Empty(console.Errors);
    }

    /// <summary>
    /// The what-if contract (contracts.md: POST /v1/policies/{scope}/what-if → 202 with the run, GET /v1/what-if/{id} until
    /// succeeded); the run is computed by the Hangfire job WhatIfJob, run here by name as the server is off in tests.
    /// </summary>
    [Fact]
    public async Task A_what_if_run_shows_its_progress_and_the_side_by_side_result_the_api_holds()
    {
        using var api = fixture.Site.Api(fixture.Site.OpsKey);

        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;
        await console.GoAsync("#/policies?scope=vision");
        await page.GetByLabel("Markets").FillAsync("on-demand");
        await page.Locator("#run-whatif").ClickAsync();
        var started = page.Locator("[data-whatif-run]");
        await started.WaitForAsync();
        await Assertions.Expect(page.Locator("progress")).ToBeVisibleAsync();
        await fixture.Site.RunBackgroundJobAsync("Broker.Api.Jobs.WhatIfJob", Guid.Parse((await started.GetAttributeAsync("data-whatif-run"))!));
        var result = page.Locator("[data-whatif-result]");
        await result.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        Assert.Equal("succeeded", await page.Locator("[data-whatif-state]").GetAttributeAsync("data-whatif-state"));
        Assert.Equal("100", await page.Locator("progress").EvaluateAsync<string>("p => String(p.value)"));

        var run = (await api.GetFromJsonAsync<JsonObject>($"/v1/what-if/{await result.GetAttributeAsync("data-whatif-result")}"))!;
        var current = run["result"]!["current"]!;
        var proposed = run["result"]!["proposed"]!;
        Assert.Equal(current["cloudSpend"]!.GetValue<decimal>(), Value(await CellAsync(page, "Cloud spend", "Current")));
        Assert.Equal(proposed["cloudSpend"]!.GetValue<decimal>(), Value(await CellAsync(page, "Cloud spend", "Proposed")));
        Assert.Equal(proposed["jobs"]!.GetValue<decimal>(), Value(await CellAsync(page, "Jobs", "Proposed")));
        Assert.Equal(proposed["deadlineMisses"]!.GetValue<decimal>(), Value(await CellAsync(page, "Deadline misses", "Proposed")));
        var markets = proposed["costByMarket"]!.AsObject();
        Assert.Equal(markets["spot"]!.GetValue<decimal>(), Value(await CellAsync(page, "Spot cost", "Proposed")));
        Assert.Equal(markets["ondemand"]!.GetValue<decimal>(), Value(await CellAsync(page, "On-demand cost", "Proposed")));
        Assert.DoesNotContain("NaN", await page.Locator("table[data-table='whatif']").TextContentAsync(), StringComparison.Ordinal);
        await console.ScreenshotAsync("policies-whatif");
    }

    private static async Task SaveAsync(IPage page, string field, string value)
    {
        await page.GetByLabel(field).FillAsync(value);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Save policy" }).ClickAsync();
    }

    private static Task<string?> CellAsync(IPage page, string metric, string column) =>
        page.Locator($"table[data-table='whatif'] tr[data-key='{metric}'] td[data-col='{column}']").GetAttributeAsync("data-value");

    private static decimal Value(string? text) => decimal.Parse(text!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
}
