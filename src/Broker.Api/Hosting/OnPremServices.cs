using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;

namespace Broker.Api.Hosting;

public static class OnPremServices
{
    /// <summary>The Slurm cluster when <c>Slurm:BaseUrl</c> is set, otherwise no on-prem capacity at all.</summary>
    public static IServiceCollection AddBrokerOnPrem(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration["Slurm:BaseUrl"]))
        {
            services.AddSlurmCluster(configuration);
        }
        else
        {
            services.AddSingleton<IOnPremCluster, NoOnPremCluster>();
        }
        services.AddScoped<InventorySync>();
        services.AddScoped<UtilizationReport>();
        return services;
    }
}
