using Broker.Testing;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

/// <summary>One seeded Broker and one headless Debian Chromium for every console test (both are slow to start).</summary>
public class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public ConsoleSite Site { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>False for a Broker with keys and nothing else (the empty states).</summary>
    protected virtual bool Seeded => true;

    /// <summary>Screenshots of every page, kept as test artifacts.</summary>
    public static string Screenshots { get; } = Path.Combine(RepoPaths.Root, "TestResults", "console");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(RepoPaths.Root, "src", "Broker.Api", "wwwroot", "console", "index.html")))
        {
            throw new InvalidOperationException("The console is not built: run scripts/console.sh (scripts/test.sh does).");
        }
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: run scripts/install-deps.sh (it installs Debian's chromium).");
        }
        await ((IAsyncLifetime)Site).InitializeAsync();
        await (Seeded ? Site.SeedAsync() : Site.StartAsync());
        playwright = await Playwright.CreateAsync();
        // Playwright cannot download its own browser here: it drives Debian's (scripts/install-deps.sh installs it).
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
        await ((IAsyncLifetime)Site).DisposeAsync();
    }

    /// <summary>A fresh browser context (its own session storage), signed in with <paramref name="key"/> through the login form.</summary>
    public async Task<ConsolePage> SignInAsync(string key)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Site.Url,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var console = new ConsolePage(page, context);
        await page.GotoAsync("/console/");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        await page.Locator("[data-me]").WaitForAsync();
        return console;
    }
}

/// <summary>A Broker that has seen no job, sample or cost yet.</summary>
public sealed class EmptyConsoleFixture : ConsoleFixture
{
    protected override bool Seeded => false;
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
