using Amazon.Runtime;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Aws;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Tests.Aws;

/// <summary>Each EC2 error code, answered by the fake with its real HTTP status, surfaces through the SDK as this kind and scope.</summary>
public sealed class AwsErrorMappingTests : IAsyncLifetime
{
    private AwsRig rig = null!;

    public async Task InitializeAsync() => rig = await AwsRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    [Theory]
    [InlineData("InsufficientInstanceCapacity", ProviderErrorKind.Capacity, BlockScope.Offering)]
    [InlineData("SpotMaxPriceTooLow", ProviderErrorKind.Capacity, BlockScope.Offering)]
    [InlineData("MaxSpotInstanceCountExceeded", ProviderErrorKind.Capacity, BlockScope.Region)]
    [InlineData("VcpuLimitExceeded", ProviderErrorKind.Capacity, BlockScope.Region)]
    [InlineData("InstanceLimitExceeded", ProviderErrorKind.Capacity, BlockScope.Region)]
    [InlineData("Unsupported", ProviderErrorKind.Capacity, BlockScope.Zone)]
    [InlineData("RequestLimitExceeded", ProviderErrorKind.Throttled, BlockScope.None)]
    [InlineData("Unavailable", ProviderErrorKind.Transient, BlockScope.None)]
    [InlineData("InternalError", ProviderErrorKind.Transient, BlockScope.None)]
    [InlineData("UnauthorizedOperation", ProviderErrorKind.Auth, BlockScope.Provider)]
    [InlineData("AuthFailure", ProviderErrorKind.Auth, BlockScope.Provider)]
    [InlineData("InvalidClientTokenId", ProviderErrorKind.Auth, BlockScope.Provider)]
    [InlineData("SignatureDoesNotMatch", ProviderErrorKind.Auth, BlockScope.Provider)]
    [InlineData("ExpiredToken", ProviderErrorKind.Auth, BlockScope.Provider)]
    [InlineData("InvalidParameterValue", ProviderErrorKind.InvalidRequest, BlockScope.None)]
    [InlineData("InvalidAMIID.NotFound", ProviderErrorKind.InvalidRequest, BlockScope.None)]
    public async Task Ec2_error_code_maps_to_kind_and_scope(string code, ProviderErrorKind kind, BlockScope scope)
    {
        rig.Fake.Faults.Inject("RunInstances", code, instanceType: AwsRig.GpuType);

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal(("aws", code, kind, scope), (error.Provider, error.ProviderCode, error.Kind, error.Scope));
        Assert.Single(rig.Fake.Calls);
    }

    [Fact]
    public async Task Injected_error_for_one_instance_type_leaves_others_alone()
    {
        rig.Fake.Faults.Inject("RunInstances", "InsufficientInstanceCapacity", instanceType: AwsRig.GpuType);

        var other = await rig.Provider.CreateAsync(AwsRig.Request(instanceType: "g6.xlarge"), CancellationToken.None);

        Assert.Equal("g6.xlarge", other.InstanceType);
    }

    [Fact]
    public async Task Bare_http_503_without_an_ec2_error_body_is_transient()
    {
        rig.Fake.Faults.InjectRawStatus("RunInstances", 503, "<html>Service Unavailable</html>");

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, error.Kind);
        Assert.Empty(rig.Fake.Cloud.Instances);
    }

    [Theory]
    [InlineData(429, ProviderErrorKind.Throttled)]
    [InlineData(403, ProviderErrorKind.Auth)]
    [InlineData(502, ProviderErrorKind.Transient)]
    [InlineData(404, ProviderErrorKind.InvalidRequest)]
    public async Task Bare_http_status_without_an_ec2_error_body_maps_by_status(int status, ProviderErrorKind kind)
    {
        rig.Fake.Faults.InjectRawStatus("RunInstances", status, "<html>nope</html>");

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public async Task Credentials_that_cannot_be_resolved_are_an_auth_error_and_nothing_is_sent()
    {
        using var clients = new AwsClientFactory(Options.Create(rig.Options), new UnresolvableCredentials());
        var provider = new AwsComputeProvider(clients, Options.Create(rig.Options));

        var error = await Assert.ThrowsAsync<ProviderException>(() => provider.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Auth, BlockScope.Provider, "CredentialsUnavailable"), (error.Kind, error.Scope, error.ProviderCode));
        Assert.Empty(rig.Fake.Calls);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_transient_network_error()
    {
        await rig.Fake.DisposeAsync();

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Transient, "NetworkError"), (error.Kind, error.ProviderCode));
    }

    [Fact]
    public async Task Reusing_an_allocation_with_different_parameters_is_an_invalid_request()
    {
        var request = AwsRig.Request();
        await rig.Provider.CreateAsync(request, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            rig.Provider.CreateAsync(request with { InstanceType = "g6.xlarge" }, CancellationToken.None));

        Assert.Equal((ProviderErrorKind.InvalidRequest, "IdempotentParameterMismatch"), (error.Kind, error.ProviderCode));
        Assert.Single(rig.Fake.Cloud.Instances);
    }
}

/// <summary>Stands for a default chain that finds nothing (no environment, profile or instance role).</summary>
internal sealed class UnresolvableCredentials : AWSCredentials
{
    public override ImmutableCredentials GetCredentials() =>
        throw new AmazonClientException("Failed to resolve AWS credentials. No source of credentials was found.");

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
}
