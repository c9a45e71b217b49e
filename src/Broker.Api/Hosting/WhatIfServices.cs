using Broker.Core.WhatIf;

namespace Broker.Api.Hosting;

public static class WhatIfServices
{
    /// <summary>Policy what-if: section <c>WhatIf</c> (stored trace names and spot model; paths resolve against the content root).</summary>
    public static IServiceCollection AddBrokerWhatIf(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var settings = configuration.GetSection(WhatIfSettings.SectionName).Get<WhatIfSettings>() ?? new WhatIfSettings();
            var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            foreach (var (name, path) in settings.Traces.ToList())
            {
                settings.Traces[name] = Path.GetFullPath(path, root);
            }
            // Without a trace of its own the what-if follows the one the simulated clouds follow, if any.
            var spot = settings.SpotTracePath ?? configuration["Providers:Simulated:AvailabilityTracePath"];
            settings.SpotTracePath = string.IsNullOrWhiteSpace(spot) ? null : Path.GetFullPath(spot, root);
            return settings;
        });
        services.AddSingleton<WhatIfTraces>();
        services.AddScoped<WhatIfService>();
        services.AddScoped<WhatIfHistory>();
        services.AddScoped<WhatIfWorld>();
        services.AddScoped<WhatIfClaims>();
        services.AddScoped<WhatIfExecutor>();
        return services;
    }
}
