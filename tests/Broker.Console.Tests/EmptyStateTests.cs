namespace Broker.Console.Tests;

/// <summary>A new Broker: every page says what is missing and how it comes, instead of an empty frame or a zero that looks like data.</summary>
public sealed class EmptyStateTests(EmptyConsoleFixture fixture) : IClassFixture<EmptyConsoleFixture>
{
    [Fact]
    public async Task Overview_costs_and_jobs_of_an_empty_broker_show_their_empty_states()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.FinanceKey);
        var page = console.Page;
        var utilization = page.Locator("figure[data-chart='utilization'][data-empty]");
        await utilization.WaitForAsync();
        Assert.Contains("No on-prem samples", await utilization.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("Nothing spent yet", await page.Locator("figure[data-chart='spend-by-team'][data-empty]").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("canvas").CountAsync());
        await console.ScreenshotAsync("overview-empty");

        await console.GoAsync("#/costs");
        await page.Locator("#budgets [role='alert']").WaitForAsync();
        Assert.Equal(4, await page.Locator("figure[data-chart^='costs-'][data-empty]").CountAsync());
        Assert.Contains("No budgets are set", await page.Locator("#budgets").TextContentAsync(), StringComparison.Ordinal);
        await console.ScreenshotAsync("costs-empty");

        await console.GoAsync("#/jobs");
        await page.Locator("#job-list [data-empty]").WaitForAsync();
        Assert.Contains("No jobs yet", await page.Locator("#job-list").TextContentAsync(), StringComparison.Ordinal);
        Assert.True(console.Errors.Count == 0, string.Join(" | ", console.Errors));
    }
}
