using System.Globalization;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

/// <summary>A signed-in page with what the tests read off it, and everything the browser reported (errors, CSP refusals).</summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext context;

    public ConsolePage(IPage page, IBrowserContext context)
    {
        Page = page;
        this.context = context;
        page.Console += (_, message) =>
        {
            // Script errors, Content-Security-Policy refusals ("Refused to ...") and failed requests ("Failed to load resource").
            if (message.Type == "error")
            {
                Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => Errors.Add(error);
        page.Request += (_, request) => Requests.Add(request.Url);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Errors.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions (a Content-Security-Policy refusal shows up here).</summary>
    public List<string> Errors { get; } = [];

    public List<string> Requests { get; } = [];

    public async Task GoAsync(string hash)
    {
        await Page.EvaluateAsync("h => { location.hash = h; }", hash);
        await Page.Locator("main h1").WaitForAsync();
    }

    public async Task ScreenshotAsync(string name) => await Page.ScreenshotAsync(new PageScreenshotOptions
    {
        Path = Path.Combine(ConsoleFixture.Screenshots, name + ".png"),
        FullPage = true,
    });

    /// <summary>The data-value of every cell of a column in a table, in row order.</summary>
    public async Task<IReadOnlyList<string>> ColumnAsync(string table, string column) =>
        await Page.Locator($"table[data-table='{table}'] tbody td[data-col='{column}']").EvaluateAllAsync<string[]>(
            "cells => cells.map(c => c.dataset.value)");

    /// <summary>A chart's data table: row key → series label → raw value.</summary>
    public async Task<Dictionary<string, Dictionary<string, decimal?>>> ChartAsync(string chart)
    {
        var table = Page.Locator($"figure[data-chart='{chart}'] table[data-table='{chart}']");
        await table.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        var cells = await table.Locator("tbody td").EvaluateAllAsync<string[][]>(
            "cells => cells.map(c => [c.closest('tr').dataset.key, c.dataset.series, c.dataset.value])");
        return cells.GroupBy(c => c[0]).ToDictionary(g => g.Key, g => g.ToDictionary(c => c[1],
            c => c[2].Length == 0 ? (decimal?)null : decimal.Parse(c[2], NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
