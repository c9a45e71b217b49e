using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Providers;

public sealed class ComputeProvidersTests
{
    [Fact]
    public void Providers_are_found_by_name_and_listed_sorted()
    {
        var gcp = new NamedProvider("gcp");
        var registry = new ComputeProviders([gcp, new NamedProvider("aws")], ComputeProviderKind.Real);

        Assert.Same(gcp, registry.Get("gcp"));
        Assert.Equal(["aws", "gcp"], registry.Names);
        Assert.False(registry.TryGet("GCP", out _));
        var unknown = Assert.Throws<InvalidOperationException>(() => registry.Get("azure"));
        Assert.Contains("aws, gcp", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_providers_with_one_name_are_a_configuration_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ComputeProviders([new NamedProvider("aws"), new NamedProvider("aws")], ComputeProviderKind.Real));

        Assert.Contains("'aws'", error.Message, StringComparison.Ordinal);
    }

    private sealed class NamedProvider(string name) : IComputeProvider
    {
        public string Name => name;

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
