using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp;
using Broker.Providers.Gcp.Auth;
using Broker.Providers.Gcp.Compute;
using Broker.Providers.Gcp.Pricing;
using Broker.Providers.Tests.Gcp.Fake;

namespace Broker.Providers.Tests.Gcp;

/// <summary>The real adapter (client, provider, price source) pointed at a fresh loopback fake.</summary>
internal sealed class GcpRig : IAsyncDisposable
{
    public const string Region = "us-central1";

    private GcpRig(FakeGceServer fake, IGcpAccessTokenProvider tokens, TimeProvider clock)
    {
        Fake = fake;
        Options = new GcpOptions
        {
            Project = fake.State.Project,
            Zones = new(StringComparer.Ordinal) { [Region] = ["us-central1-a", "us-central1-b"] },
            SourceImage = "projects/debian-cloud/global/images/family/debian-12",
            BaseUrl = fake.ComputeUrl,
            BillingBaseUrl = fake.RootUrl,
            OperationPollInterval = TimeSpan.Zero,
        };
        Http = new HttpClient();
        Client = new GcpComputeClient(Http, tokens, Options, clock);
        Provider = new GcpComputeProvider(Client, Options);
        Prices = new GcpBillingPriceSource(Http, tokens, Options, clock);
    }

    public FakeGceServer Fake { get; }
    public GcpOptions Options { get; }
    public HttpClient Http { get; }
    public GcpComputeClient Client { get; }
    public GcpComputeProvider Provider { get; }
    public GcpBillingPriceSource Prices { get; }

    public static async Task<GcpRig> StartAsync(IGcpAccessTokenProvider? tokens = null, TimeProvider? clock = null) =>
        new(await FakeGceServer.StartAsync(), tokens ?? new StaticAccessTokenProvider(FakeGceServer.Token), clock ?? TimeProvider.System);

    public static InstanceRequest Request(string machineType = "a2-highgpu-1g", CapacityType market = CapacityType.OnDemand,
        string? zone = null, string region = Region) =>
        new(Guid.NewGuid(), Guid.NewGuid(), region, zone, machineType, market, null, "#!/bin/bash\necho hello from broker\n");

    public IReadOnlyList<FakeCall> Inserts() =>
        Fake.State.Calls().Where(c => c.Method == "POST" && c.Path.EndsWith("/instances", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Fake.DisposeAsync();
    }
}
