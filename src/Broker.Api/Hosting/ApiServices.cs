using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Serialization;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Api.ErrorHandling;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;

namespace Broker.Api.Hosting;

public static class ApiServices
{
    public static IServiceCollection AddBrokerApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<JsonOptions>(options =>
        {
            var json = options.SerializerOptions;
            json.Converters.Add(new JsonStringEnumConverter(JsonNaming.Instance, allowIntegerValues: false));
            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // Strict JSON: a number is a JSON number ("exitCode":"0" is refused, where the web defaults would read it), and
            // a field given twice is refused instead of the last one silently winning ("count":1,"count":64).
            json.NumberHandling = JsonNumberHandling.Strict;
            json.AllowDuplicateProperties = false;
        });
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemCustomization.Apply);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>());
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddValidation();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddBrokerPolicies();
        services.AddBrokerRateLimiting(configuration);

        services.AddBrokerOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }
}
