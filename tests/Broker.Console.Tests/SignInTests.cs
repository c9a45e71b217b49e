using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Broker.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task An_ops_key_signs_in_and_sees_every_page_under_a_self_only_content_security_policy()
    {
        using (var http = new HttpClient { BaseAddress = new Uri(fixture.Site.Url) })
        using (var index = await http.GetAsync("/console/"))
        {
            index.EnsureSuccessStatusCode();
            var csp = string.Join(";", index.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("http", csp, StringComparison.Ordinal);
        }
        await using var console = await fixture.SignInAsync(fixture.Site.OpsKey);
        var page = console.Page;

        using var api = fixture.Site.Api(fixture.Site.OpsKey);
        var me = (await api.GetFromJsonAsync<JsonObject>("/v1/me"))!;
        Assert.Equal("ops", me["role"]!.GetValue<string>());
        Assert.Contains(me["role"]!.GetValue<string>(), await page.Locator("[data-me]").TextContentAsync(), StringComparison.Ordinal);
        var nav = await page.Locator("[data-nav]").EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.nav)");
        Assert.Equal(["overview", "jobs", "costs", "policies", "fleet"], nav);
        Assert.Equal(fixture.Site.OpsKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('broker.apiKey')"));
        await console.ScreenshotAsync("overview-ops");

        // The overview is open already (following its link again changes nothing), so it comes last.
        foreach (var name in nav.Skip(1).Append(nav[0]))
        {
            // By keyboard: focus the link and press Enter; the page's heading takes the focus.
            await page.Locator($"[data-nav='{name}']").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator($"[data-nav='{name}']")).ToHaveAttributeAsync("aria-current", "page");
            await Assertions.Expect(page.Locator("main h1")).ToBeFocusedAsync();
        }
        Assert.Empty(console.Errors);
        Assert.All(console.Requests, url => Assert.StartsWith(fixture.Site.Url, url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_key_is_refused_on_the_sign_in_form()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Site.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console/");
        await page.GetByLabel("API key").FillAsync("brk_unknownunknownunknownunknownunknown0000");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator("#api-key-error")).ToHaveTextAsync("This key is unknown or revoked.");
        Assert.Equal("true", await page.GetByLabel("API key").GetAttributeAsync("aria-invalid"));
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('broker.apiKey')"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "sign-in-refused.png") });
        await context.DisposeAsync();
    }

    [Fact]
    public async Task A_submitter_sees_no_policies_page_and_the_console_asks_no_policy_of_the_api()
    {
        await using var console = await fixture.SignInAsync(fixture.Site.VisionKey);
        var page = console.Page;

        var nav = await page.Locator("[data-nav]").EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.nav)");
        Assert.Equal(["overview", "jobs"], nav);
        await console.GoAsync("#/policies");
        await Assertions.Expect(page.Locator("[data-forbidden]")).ToContainTextAsync("submitter");
        await console.ScreenshotAsync("policies-as-submitter");
        Assert.DoesNotContain(console.Requests, url => url.Contains("/v1/policies", StringComparison.Ordinal));

        // And the API agrees: the page's own write is refused to this key.
        using var api = fixture.Site.Api(fixture.Site.VisionKey);
        using var put = await api.PutAsJsonAsync("/v1/policies/vision", new { maxCloudGpus = 1 });
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task The_console_lives_under_console_and_the_api_keeps_its_own_headers()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.Site.Url) };
        using var bare = await http.GetAsync("/console");
        using var asset = await http.GetAsync("/console/index.html");
        using var api = await http.GetAsync("/v1/me");

        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.EndsWith("/console/", bare.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal("no-cache", asset.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", string.Join("", asset.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("frame-ancestors 'none'", string.Join("", api.Headers.GetValues("Content-Security-Policy")));
        var html = await asset.Content.ReadAsStringAsync();
        // No inline script and nothing from another origin (no CDN): every script and style is one of ours.
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Matches("<script type=\"module\" crossorigin src=\"/console/assets/", html);
    }
}
