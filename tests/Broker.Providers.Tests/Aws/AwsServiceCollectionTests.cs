using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Tests.Aws;

public sealed class AwsServiceCollectionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddAwsProvider(configuration).BuildServiceProvider();
    }

    [Fact]
    public void AddAwsProvider_binds_the_Providers_Aws_section_and_registers_the_adapter_and_price_source()
    {
        using var services = Build(new()
        {
            ["Providers:Aws:Enabled"] = "true",
            ["Providers:Aws:Regions:0"] = "us-east-1",
            ["Providers:Aws:Regions:1"] = "eu-west-1",
            ["Providers:Aws:DefaultImageId"] = "ami-default",
            ["Providers:Aws:ImageIds:eu-west-1"] = "ami-eu",
            ["Providers:Aws:SubnetIds:us-east-1a"] = "subnet-1",
            ["Providers:Aws:SecurityGroupIds:us-east-1:0"] = "sg-1",
            ["Providers:Aws:KeyName"] = "ops",
        });

        var options = services.GetRequiredService<IOptions<AwsOptions>>().Value;
        Assert.Equal(["us-east-1", "eu-west-1"], options.Regions);
        Assert.Equal(("ami-default", "ami-eu"), (options.ImageFor("us-east-1"), options.ImageFor("eu-west-1")));
        Assert.Equal("subnet-1", options.SubnetIds["us-east-1a"]);
        Assert.Equal(["sg-1"], options.SecurityGroupIds["us-east-1"]);
        Assert.Equal("aws", Assert.Single(services.GetServices<IComputeProvider>()).Name);
        Assert.IsType<AwsSpotPriceSource>(Assert.Single(services.GetServices<IPriceSource>()));
    }

    [Fact]
    public void Options_without_regions_or_images_are_rejected_on_first_use()
    {
        using var noRegions = Build(new() { ["Providers:Aws:DefaultImageId"] = "ami-default" });
        using var noImage = Build(new() { ["Providers:Aws:Regions:0"] = "us-east-1" });

        Assert.Throws<OptionsValidationException>(() => noRegions.GetRequiredService<IComputeProvider>());
        Assert.Throws<OptionsValidationException>(() => noImage.GetRequiredService<IComputeProvider>());
    }
}
