namespace Broker.Api.Hosting;

public static class Logging
{
    /// <summary>Structured JSON logs when <c>Logging:Format</c> is <c>json</c> (containers), readable console lines otherwise.</summary>
    public static WebApplicationBuilder AddBrokerLogging(this WebApplicationBuilder builder)
    {
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json => json.IncludeScopes = true);
        }
        return builder;
    }
}
