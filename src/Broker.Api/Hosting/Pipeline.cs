using Broker.Api.Endpoints;
using Broker.Api.Input;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;

namespace Broker.Api.Hosting;

public static class Pipeline
{
    public static WebApplication UseBrokerPipeline(this WebApplication app)
    {
        app.UseBrokerMetricsPort();
        app.UseMiddleware<SecurityHeaders>();
        app.UseBrokerConsole();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<BodySizeLimit>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<RequestTextGuard>();
        app.UseMiddleware<JsonBodyGuard>();
        return app;
    }

    public static WebApplication MapBrokerEndpoints(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", options => options.WithTitle("Broker API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapJobs();
        app.MapApiKeys();
        app.MapMe();
        app.MapOffers();
        app.MapProviders();
        app.MapOnPrem();
        app.MapPlacement();
        app.MapPolicies();
        app.MapBursting();
        app.MapAudit();
        app.MapInstanceCallbacks();
        app.MapLogs();
        app.MapSecrets();
        app.MapJobEnvironment();
        app.MapInstances();
        app.MapCosts();
        app.MapReports();
        app.MapBudgets();
        app.MapWhatIf();
        app.MapBrokerDashboard();
        app.MapBrokerMetrics();
        return app;
    }
}
