using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureErrorMappingTests
{
    private const string QuotaMessage = "Operation could not be completed as it results in exceeding approved standardNCADSA100v4Family Cores quota.";

    public static TheoryData<string, string, BlockScope, bool> CapacityErrors()
    {
        var data = new TheoryData<string, string, BlockScope, bool>();
        foreach (var synchronous in new[] { true, false })
        {
            data.Add("AllocationFailed", "Allocation failed. We do not have sufficient capacity for the requested VM size in this region.", BlockScope.Offering, synchronous);
            data.Add("ZonalAllocationFailed", "Allocation failed. We do not have sufficient capacity for the requested VM size in this zone.", BlockScope.Zone, synchronous);
            data.Add("SkuNotAvailable", "The requested VM size is currently not available in location 'eastus'.", BlockScope.Offering, synchronous);
            data.Add("OverconstrainedAllocationRequest", "Allocation failed. VM(s) with the following constraints cannot be allocated.", BlockScope.Offering, synchronous);
            data.Add("OverconstrainedZonalAllocationRequest", "Allocation failed. VM(s) with the following constraints cannot be allocated in zone 1.", BlockScope.Offering, synchronous);
            data.Add("OperationNotAllowed", QuotaMessage, BlockScope.Region, synchronous);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CapacityErrors))]
    public async Task Capacity_error_maps_to_capacity_with_its_scope_and_leaves_no_vm_behind(string code, string message, BlockScope scope, bool synchronous)
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        if (synchronous)
        {
            harness.Arm.FailPut(AzureFakeHarness.Size, 409, code, message);
        }
        else
        {
            harness.Arm.FailAllocation(AzureFakeHarness.Size, code, message);
        }

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Capacity, scope, code), (error.Kind, error.Scope, error.ProviderCode));
        Assert.Equal("azure", error.Provider);
        Assert.Empty(harness.Arm.VirtualMachines);
        Assert.Empty(harness.Arm.NetworkInterfaceNames);
    }

    [Fact]
    public async Task Operation_not_allowed_without_quota_is_an_invalid_request()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.FailPut(AzureFakeHarness.Size, 409, "OperationNotAllowed", "The operation is not allowed while the VM is being deallocated.");

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.InvalidRequest, BlockScope.None), (error.Kind, error.Scope));
    }

    [Fact]
    public async Task Throttling_surfaces_with_retry_after_from_the_header_and_the_sdk_does_not_retry()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.FailPut(AzureFakeHarness.Size, 429, "TooManyRequests", "The request is being throttled.", retryAfter: "17");

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(17), error.RetryAfter);
        Assert.Single(harness.Arm.CallsTo("PUT", ""), c => c.Path.Contains("/virtualMachines/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(403, "AuthorizationFailed")]
    [InlineData(401, "InvalidAuthenticationToken")]
    [InlineData(401, "AuthenticationFailed")]
    public async Task Authorization_errors_map_to_auth_for_the_whole_provider(int status, string code)
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.FailPut(AzureFakeHarness.Size, status, code, "The client does not have authorization to perform action 'Microsoft.Compute/virtualMachines/write'.");

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Auth, BlockScope.Provider, code), (error.Kind, error.Scope, error.ProviderCode));
    }

    [Fact]
    public async Task A_credential_that_cannot_sign_in_maps_to_auth_and_sends_nothing()
    {
        await using var harness = await AzureFakeHarness.StartAsync(new RejectedCredential());

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal((ProviderErrorKind.Auth, BlockScope.Provider), (error.Kind, error.Scope));
        Assert.Empty(harness.Arm.Calls);
    }

    [Theory]
    [InlineData(500, "InternalServerError", ProviderErrorKind.Transient)]
    [InlineData(503, "ServiceUnavailable", ProviderErrorKind.Transient)]
    [InlineData(400, "InvalidParameter", ProviderErrorKind.InvalidRequest)]
    [InlineData(404, "ImageNotFound", ProviderErrorKind.InvalidRequest)]
    public async Task Other_statuses_map_by_class(int status, string code, ProviderErrorKind kind)
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.FailPut(AzureFakeHarness.Size, status, code, "Something went wrong.");

        var error = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None));

        Assert.Equal((kind, BlockScope.None, code), (error.Kind, error.Scope, error.ProviderCode));
    }
}
