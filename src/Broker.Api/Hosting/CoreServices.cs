using Broker.Core.Audit;
using Broker.Core.Auth;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Policies;

namespace Broker.Api.Hosting;

public static class CoreServices
{
    public static IServiceCollection AddBrokerCore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Broker")
            ?? throw new InvalidOperationException("ConnectionStrings:Broker is not set (env: ConnectionStrings__Broker).");
        services.AddDbContextPool<BrokerDbContext>(options => options.UseBrokerDatabase(connectionString));
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<JobService>();
        services.AddScoped<JobFitCheck>();
        services.AddScoped<ApiKeyService>();
        services.AddSingleton(configuration.GetSection("Auth").Get<ApiKeyCacheOptions>() ?? new ApiKeyCacheOptions());
        services.AddSingleton<ApiKeyCache>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<PolicyService>();
        services.AddScoped<CloudStops>();
        services.AddScoped<AuditQuery>();
        return services;
    }
}
