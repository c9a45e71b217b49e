using Amazon.Runtime;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Aws;
using Broker.Providers.Tests.Aws.Fake;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Tests.Aws;

/// <summary>The real AWS SDK and adapter pointed at a fresh <see cref="FakeEc2Server"/>.</summary>
public sealed class AwsRig : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string OtherRegion = "us-west-2";
    public const string Zone = "us-east-1a";
    public const string GpuType = "p5.48xlarge";
    public const string SecretKey = "fake-secret-key-that-must-never-be-logged";

    private AwsRig(FakeEc2Server fake, AwsOptions options)
    {
        Fake = fake;
        Options = options;
        Clients = new AwsClientFactory(Microsoft.Extensions.Options.Options.Create(options), new BasicAWSCredentials("AKIDFAKEEXAMPLE", SecretKey));
        Provider = new AwsComputeProvider(Clients, Microsoft.Extensions.Options.Options.Create(options));
    }

    public FakeEc2Server Fake { get; }
    public AwsOptions Options { get; }
    public AwsClientFactory Clients { get; }
    public AwsComputeProvider Provider { get; }

    public static async Task<AwsRig> StartAsync(TimeProvider? clock = null)
    {
        var fake = await FakeEc2Server.StartAsync(clock);
        var options = new AwsOptions
        {
            Enabled = true,
            Regions = [Region, OtherRegion],
            ServiceUrl = fake.ServiceUrl,
            DefaultImageId = "ami-0123456789abcdef0",
            ImageIds = { [OtherRegion] = "ami-0fedcba9876543210" },
        };
        return new AwsRig(fake, options);
    }

    public static InstanceRequest Request(string instanceType = GpuType, CapacityType market = CapacityType.OnDemand,
        string region = Region, string? zone = Zone, decimal? maxPrice = null, Guid? allocationId = null) =>
        new(allocationId ?? Guid.NewGuid(), Guid.NewGuid(), region, zone, instanceType, market, maxPrice,
            "#!/bin/bash\necho 'hello from broker'\n");

    public async ValueTask DisposeAsync()
    {
        Clients.Dispose();
        await Fake.DisposeAsync();
    }
}
