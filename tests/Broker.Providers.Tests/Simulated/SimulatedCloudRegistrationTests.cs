using Broker.Core.Provisioning;
using Broker.Providers.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Tests.Simulated;

public sealed class SimulatedCloudRegistrationTests
{
    [Fact]
    public void AddSimulatedClouds_registers_aws_azure_and_gcp_with_options_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Simulated:ProvisioningDelay"] = "00:00:05",
            ["Providers:Simulated:CapacityPerOffer"] = "3",
            ["Providers:Simulated:SpotInterruptionsPerHour"] = "0.25",
            ["Providers:Simulated:Seed"] = "42",
            ["Providers:Simulated:TimeScale"] = "60",
        }).Build();
        using var provider = new ServiceCollection().AddSimulatedClouds(configuration).BuildServiceProvider();

        var clouds = provider.GetServices<IComputeProvider>().Select(p => p.Name).Order();
        var options = provider.GetRequiredService<IOptions<SimulatedCloudOptions>>().Value;

        Assert.Equal(["aws", "azure", "gcp"], clouds);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ProvisioningDelay);
        Assert.Equal(3, options.CapacityPerOffer);
        Assert.Equal(0.25, options.SpotInterruptionsPerHour);
        Assert.Equal(42, options.Seed);
        Assert.Equal(60, options.TimeScale);
        Assert.Null(options.AvailabilityTracePath);
    }

    [Fact]
    public async Task The_registered_clouds_sell_the_seed_catalog()
    {
        using var provider = new ServiceCollection().AddSimulatedClouds(new ConfigurationBuilder().Build()).BuildServiceProvider();
        var gcp = provider.GetServices<IComputeProvider>().Single(p => p.Name == "gcp");

        var created = await gcp.CreateAsync(SimulatedFixture.Request("us-central1", "a3-highgpu-8g"), CancellationToken.None);

        Assert.Equal("gcp", created.Provider);
        Assert.StartsWith("broker-", created.InstanceId, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_positive_time_scale_is_refused()
    {
        var options = new SimulatedCloudOptions { TimeScale = 0 };

        Assert.Throws<InvalidOperationException>(() => new SimulatedFixture(options: options));
    }

    [Fact]
    public void The_startup_script_sets_the_run_and_the_default_fills_in()
    {
        var workload = new StartupScriptWorkload(TimeSpan.FromMinutes(7));

        var given = workload.Plan(SimulatedFixture.Request(runFor: TimeSpan.FromSeconds(90), exitCode: 137));
        var fallback = workload.Plan(SimulatedFixture.Request() with { StartupScript = "#!/bin/bash\necho hi\n" });

        Assert.Equal(new SimulatedRun(TimeSpan.FromSeconds(90), 137), given);
        Assert.Equal(new SimulatedRun(TimeSpan.FromMinutes(7), 0), fallback);
    }
}
