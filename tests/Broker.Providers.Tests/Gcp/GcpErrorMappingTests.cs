using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Tests.Gcp.Fake;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpErrorMappingTests
{
    public static TheoryData<string, int, bool, ProviderErrorKind, BlockScope> Errors => new()
    {
        // code or reason,                            status, in operation, kind,                          scope
        { "ZONE_RESOURCE_POOL_EXHAUSTED", 503, true, ProviderErrorKind.Capacity, BlockScope.Offering },
        { "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", 503, true, ProviderErrorKind.Capacity, BlockScope.Offering },
        { "ZONE_RESOURCE_POOL_EXHAUSTED", 503, false, ProviderErrorKind.Capacity, BlockScope.Offering },
        { "QUOTA_EXCEEDED", 403, true, ProviderErrorKind.Capacity, BlockScope.Region },
        { "quotaExceeded", 403, false, ProviderErrorKind.Capacity, BlockScope.Region },
        { "rateLimitExceeded", 403, false, ProviderErrorKind.Throttled, BlockScope.None },
        { "userRateLimitExceeded", 403, false, ProviderErrorKind.Throttled, BlockScope.None },
        { "rateLimitExceeded", 429, false, ProviderErrorKind.Throttled, BlockScope.None },
        { "RESOURCE_OPERATION_RATE_EXCEEDED", 403, true, ProviderErrorKind.Throttled, BlockScope.None },
        { "authError", 401, false, ProviderErrorKind.Auth, BlockScope.Provider },
        { "forbidden", 403, false, ProviderErrorKind.Auth, BlockScope.Provider },
        { "insufficientPermissions", 403, false, ProviderErrorKind.Auth, BlockScope.Provider },
        { "backendError", 500, false, ProviderErrorKind.Transient, BlockScope.None },
        { "backendError", 503, false, ProviderErrorKind.Transient, BlockScope.None },
        { "invalid", 400, false, ProviderErrorKind.InvalidRequest, BlockScope.None },
        { "notFound", 404, false, ProviderErrorKind.InvalidRequest, BlockScope.None },
        { "UNSUPPORTED_OPERATION", 400, true, ProviderErrorKind.InvalidRequest, BlockScope.None },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Create_error_maps_to_kind_and_scope(string code, int status, bool inOperation, ProviderErrorKind kind, BlockScope scope)
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", inOperation ? FakeFault.InOperation(code, status) : FakeFault.Sync(code, status));

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None));

        Assert.Equal(("gcp", kind, scope, code), (error.Provider, error.Kind, error.Scope, error.ProviderCode));
        Assert.Empty(rig.Fake.State.AllInstances());
        Assert.Single(rig.Inserts());
    }

    [Fact]
    public async Task Error_on_one_machine_type_leaves_others_working()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.InOperation("ZONE_RESOURCE_POOL_EXHAUSTED", 503));

        var instance = await rig.Provider.CreateAsync(GcpRig.Request("g2-standard-8"), CancellationToken.None);

        Assert.Equal(InstanceState.Running, instance.State);
    }

    [Fact]
    public async Task Global_gpu_quota_blocks_the_whole_provider()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.InOperation("QUOTA_EXCEEDED", 403, "Quota 'GPUS_ALL_REGIONS' exceeded. Limit: 0.0 globally."));

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Capacity, BlockScope.Provider), (error.Kind, error.Scope));
    }

    [Fact]
    public async Task Throttling_keeps_the_retry_after_the_api_sent()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Fake.State.Inject("a2-highgpu-1g", FakeFault.Sync("rateLimitExceeded", 429, retryAfter: TimeSpan.FromSeconds(7)));

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Throttled, TimeSpan.FromSeconds(7)), (error.Kind, error.RetryAfter));
    }

    [Fact]
    public async Task Missing_credentials_are_an_auth_error_and_nothing_is_sent()
    {
        await using var rig = await GcpRig.StartAsync(new ThrowingTokenProvider());

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Auth, BlockScope.Provider), (error.Kind, error.Scope));
        Assert.DoesNotContain("secret", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(rig.Fake.State.Calls());
    }

    private sealed class ThrowingTokenProvider : Broker.Providers.Gcp.Auth.IGcpAccessTokenProvider
    {
        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The Application Default Credentials are not available (secret path).");
    }
}
