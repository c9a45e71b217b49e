using Microsoft.Extensions.FileProviders;

namespace Broker.Api.Hosting;

/// <summary>
/// The web console (src/Broker.Console, built by scripts/console.sh into wwwroot/console) as static files under
/// <c>/console</c>. It is a client of the public API like any other: it holds no server-side state and no endpoint of its own.
/// Without a build, <c>/console</c> says how to make one instead of a bare 404.
/// </summary>
public static class ConsoleHosting
{
    public const string Path = "/console";

    /// <summary>Only this origin: scripts, styles, images, fonts and API calls; no inline code, no framing, no plugins.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseBrokerConsole(this WebApplication app)
    {
        var root = System.IO.Path.Combine(app.Environment.ContentRootPath, "wwwroot", "console");
        if (!File.Exists(System.IO.Path.Combine(root, "index.html")))
        {
            app.MapGet($"{Path}/{{**rest}}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                title: "The console is not built", detail: "Run scripts/console.sh (npm ci && npm run build in src/Broker.Console)."))
                .ExcludeFromDescription();
            return app;
        }
        // /console answers 301 to /console/ (the default-files middleware), which serves index.html.
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            // Hashed asset names may be cached for good; index.html must be fetched again to pick up a new build.
            OnPrepareResponse = static ctx => ctx.Context.Response.Headers.CacheControl =
                ctx.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
        });
        return app;
    }
}
