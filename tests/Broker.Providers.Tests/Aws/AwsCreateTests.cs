using System.Text;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Tests.Aws.Fake;

namespace Broker.Providers.Tests.Aws;

public sealed class AwsCreateTests : IAsyncLifetime
{
    private AwsRig rig = null!;

    public async Task InitializeAsync() => rig = await AwsRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    [Fact]
    public async Task Create_sends_one_RunInstances_with_the_allocation_token_managed_tags_zone_and_user_data()
    {
        var request = AwsRig.Request();

        var instance = await rig.Provider.CreateAsync(request, CancellationToken.None);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal("RunInstances", call.Action);
        Assert.Equal(AwsRig.Region, call.Region);
        Assert.Equal(request.AllocationId.ToString(), call["ClientToken"]);
        Assert.True(call["ClientToken"]!.Length <= 64);
        Assert.Equal(("1", "1"), (call["MinCount"], call["MaxCount"]));
        Assert.Equal(AwsRig.GpuType, call["InstanceType"]);
        Assert.Equal("ami-0123456789abcdef0", call["ImageId"]);
        Assert.Equal(AwsRig.Zone, call["Placement.AvailabilityZone"]);
        Assert.Equal(request.StartupScript, Encoding.UTF8.GetString(Convert.FromBase64String(call["UserData"]!)));
        Assert.Null(call["InstanceMarketOptions.MarketType"]);
        Assert.Equal("required", call["MetadataOptions.HttpTokens"]);

        var stored = Assert.Single(rig.Fake.Cloud.Instances);
        Assert.Equal(ManagedTags.For(request), stored.Tags);
        Assert.Equal(ManagedTags.For(request), stored.VolumeTags);

        Assert.Equal(stored.InstanceId, instance.InstanceId);
        Assert.Equal(("aws", AwsRig.Region, AwsRig.Zone, AwsRig.GpuType), (instance.Provider, instance.Region, instance.Zone, instance.InstanceType));
        Assert.Equal((request.AllocationId, request.JobId), (instance.AllocationId, instance.JobId));
        Assert.Equal((CapacityType.OnDemand, InstanceState.Pending), (instance.Market, instance.State));
        Assert.NotNull(instance.LaunchedAt);
    }

    [Fact]
    public async Task Sdk_retries_are_off_so_each_call_is_a_single_attempt()
    {
        await rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None);

        Assert.Equal("attempt=1; max=1", Assert.Single(rig.Fake.Calls).SdkAttempt);
    }

    [Fact]
    public async Task Retried_create_with_the_same_allocation_reuses_the_token_and_returns_the_first_instance()
    {
        var request = AwsRig.Request();

        var first = await rig.Provider.CreateAsync(request, CancellationToken.None);
        var second = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Single(rig.Fake.Cloud.Instances);
        var tokens = rig.Fake.CallsTo("RunInstances").Select(c => c["ClientToken"]).ToList();
        Assert.Equal([request.AllocationId.ToString(), request.AllocationId.ToString()], tokens);
    }

    [Fact]
    public async Task Concurrent_creates_with_the_same_allocation_make_one_instance()
    {
        var request = AwsRig.Request();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => rig.Provider.CreateAsync(request, CancellationToken.None)));

        Assert.Single(results.Select(r => r.InstanceId).Distinct());
        Assert.Single(rig.Fake.Cloud.Instances);
    }

    [Theory]
    [InlineData(LostResponse.InternalError, "InternalError")]
    [InlineData(LostResponse.AbortConnection, "NetworkError")]
    public async Task Create_whose_answer_was_lost_is_transient_and_the_retry_returns_the_instance_already_made(LostResponse how,
        string expectedCode)
    {
        rig.Fake.Faults.LoseResponse("RunInstances", how);
        var request = AwsRig.Request();

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(request, CancellationToken.None));
        Assert.Equal((ProviderErrorKind.Transient, expectedCode), (error.Kind, error.ProviderCode));
        var made = Assert.Single(rig.Fake.Cloud.Instances);
        Assert.Single(rig.Fake.Calls);

        var retried = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(made.InstanceId, retried.InstanceId);
        Assert.Single(rig.Fake.Cloud.Instances);
        Assert.Equal(2, rig.Fake.CallsTo("RunInstances").Count);
    }

    [Fact]
    public async Task Spot_request_carries_one_time_terminating_market_options_and_the_max_price()
    {
        var request = AwsRig.Request(market: CapacityType.Spot, maxPrice: 12.345m);

        var instance = await rig.Provider.CreateAsync(request, CancellationToken.None);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal("spot", call["InstanceMarketOptions.MarketType"]);
        Assert.Equal("one-time", call["InstanceMarketOptions.SpotOptions.SpotInstanceType"]);
        Assert.Equal("terminate", call["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"]);
        Assert.Equal("12.345", call["InstanceMarketOptions.SpotOptions.MaxPrice"]);
        Assert.Equal(CapacityType.Spot, instance.Market);
    }

    [Fact]
    public async Task Spot_request_without_a_cap_sends_no_max_price()
    {
        await rig.Provider.CreateAsync(AwsRig.Request(market: CapacityType.Spot), CancellationToken.None);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal("spot", call["InstanceMarketOptions.MarketType"]);
        Assert.Null(call["InstanceMarketOptions.SpotOptions.MaxPrice"]);
    }

    [Fact]
    public async Task Spot_cap_below_the_current_price_is_a_capacity_error_for_the_offering()
    {
        rig.Fake.Cloud.AddSpotPrice(new FakeSpotPrice(AwsRig.Region, AwsRig.Zone, AwsRig.GpuType, "Linux/UNIX", 20m,
            DateTimeOffset.UtcNow.AddHours(-1)));

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            rig.Provider.CreateAsync(AwsRig.Request(market: CapacityType.Spot, maxPrice: 10m), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Capacity, BlockScope.Offering, "SpotMaxPriceTooLow"), (error.Kind, error.Scope, error.ProviderCode));
        Assert.Empty(rig.Fake.Cloud.Instances);
    }

    [Fact]
    public async Task Create_in_a_region_that_is_not_configured_is_refused_without_a_call()
    {
        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            rig.Provider.CreateAsync(AwsRig.Request(region: "eu-west-1", zone: null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Empty(rig.Fake.Calls);
    }

    [Fact]
    public async Task Startup_script_beyond_the_user_data_limit_is_refused_without_a_call()
    {
        var request = AwsRig.Request() with { StartupScript = new string('#', 16 * 1024 + 1) };

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(request, CancellationToken.None));

        Assert.Equal((ProviderErrorKind.InvalidRequest, "UserDataTooLarge"), (error.Kind, error.ProviderCode));
        Assert.Empty(rig.Fake.Calls);
    }

    [Fact]
    public async Task Create_uses_the_image_configured_for_the_region()
    {
        await rig.Provider.CreateAsync(AwsRig.Request(region: AwsRig.OtherRegion, zone: "us-west-2b"), CancellationToken.None);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal((AwsRig.OtherRegion, "ami-0fedcba9876543210"), (call.Region, call["ImageId"]));
    }
}
