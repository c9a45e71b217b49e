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
        services.AddSingleton(TenancyFrom(configuration));
        services.AddSingleton(ImageStoreFrom(configuration));
        services.AddScoped<InventorySync>();
        services.AddScoped<UtilizationReport>();
        return services;
    }

    /// <summary>The site image store (<c>OnPrem:ImageStore</c>) and the containers' devices (<c>OnPrem:ContainerDevices</c>), checked now so a path the scripts cannot use stops Broker from starting.</summary>
    private static OnPremImageStoreOptions ImageStoreFrom(IConfiguration configuration)
    {
        var options = configuration.GetSection(OnPremImageStoreOptions.SectionName).Get<OnPremImageStoreOptions>() ?? new OnPremImageStoreOptions();
        options.ImageStore = options.CheckedPath();
        options.ContainerDevices = [.. options.CheckedContainerDevices()];
        return options;
    }

    /// <summary>
    /// The team → Unix user map (<c>OnPrem:Teams</c>), checked now so a mapping to root, to a denied user or to the user
    /// Broker's own Slurm token belongs to stops Broker from starting instead of running jobs with that user's rights.
    /// </summary>
    private static OnPremTenancy TenancyFrom(IConfiguration configuration)
    {
        var settings = configuration.GetSection(OnPremTenancySettings.SectionName).Get<OnPremTenancySettings>() ?? new OnPremTenancySettings();
        var brokerSlurmUser = configuration.GetSection(SlurmOptions.SectionName).Get<SlurmOptions>()?.UserName ?? new SlurmOptions().UserName;
        return OnPremTenancy.Create(settings, configuration["Slurm:OutputRoot"], [brokerSlurmUser], PasswdFile.Lookup());
    }
}
