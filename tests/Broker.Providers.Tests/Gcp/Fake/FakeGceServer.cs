using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>
/// A loopback Compute Engine (REST v1 under <c>/compute/v1/</c>) and Cloud Billing Catalog (under <c>/v1/services/</c>) in
/// process: Kestrel on 127.0.0.1, port 0. Every request is recorded; bearer tokens other than <see cref="Token"/> get 401.
/// </summary>
internal sealed class FakeGceServer : IAsyncDisposable
{
    public const string Token = "fake-token";

    private readonly WebApplication app;

    private FakeGceServer(WebApplication app, FakeGceState state, FakeBillingCatalog billing)
    {
        this.app = app;
        State = state;
        Billing = billing;
    }

    public FakeGceState State { get; }
    public FakeBillingCatalog Billing { get; }
    public Uri RootUrl { get; private set; } = null!;
    public Uri ComputeUrl => new(RootUrl, "compute/v1/");

    /// <summary>Aggregated lists return at most this many instances per page.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>The next insert creates its instance and operation, then drops the connection without answering.</summary>
    public bool DropNextInsertResponse { get; set; }

    public static async Task<FakeGceServer> StartAsync(string project = "broker-test", params string[] zones)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeGceServer(app, new FakeGceState(project, zones.Length > 0 ? zones : ["us-central1-a", "us-central1-b"]),
            new FakeBillingCatalog());
        server.Map();
        await app.StartAsync();
        server.RootUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    private void Map()
    {
        app.Use(async (context, next) =>
        {
            var auth = context.Request.Headers.Authorization.ToString();
            State.Record(new FakeCall(context.Request.Method, context.Request.Path, context.Request.Query["requestId"], auth));
            var apiKey = context.Request.Query["key"].ToString();
            if (auth != $"Bearer {Token}" && !(apiKey == FakeBillingCatalog.ApiKey && context.Request.Path.StartsWithSegments("/v1")))
            {
                await FakeGceJson.Error(context, 401, "authError", "Request had invalid authentication credentials.")
                    .ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        var handlers = new FakeGceHandlers(this);
        const string zonal = "/compute/v1/projects/{project}/zones/{zone}";
        app.MapPost(zonal + "/instances", handlers.InsertAsync);
        app.MapGet(zonal + "/instances/{name}", handlers.Get);
        app.MapDelete(zonal + "/instances/{name}", handlers.Delete);
        app.MapGet(zonal + "/operations/{operation}", handlers.PollOperation);
        app.MapPost(zonal + "/operations/{operation}/wait", handlers.PollOperation);
        app.MapGet("/compute/v1/projects/{project}/aggregated/instances", handlers.AggregatedList);
        app.MapPost("/compute/v1/projects/{project}/regions/{region}/resourcePolicies", handlers.InsertResourcePolicyAsync);
        app.MapGet("/compute/v1/projects/{project}/regions/{region}/resourcePolicies", handlers.ListResourcePolicies);
        app.MapDelete("/compute/v1/projects/{project}/regions/{region}/resourcePolicies/{name}", handlers.DeleteResourcePolicy);
        app.MapGet("/v1/services/{service}/skus", Billing.ListSkus);
    }

    /// <summary>Puts an instance in place directly, as if created outside Broker (or by an earlier run).</summary>
    public void Seed(string zone, string name, string machineType, IReadOnlyDictionary<string, string>? labels = null,
        string provisioningModel = "STANDARD", string status = "RUNNING")
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = name,
            ["machineType"] = $"zones/{zone}/machineTypes/{machineType}",
            ["scheduling"] = new System.Text.Json.Nodes.JsonObject { ["provisioningModel"] = provisioningModel },
        };
        if (labels is not null)
        {
            body["labels"] = new System.Text.Json.Nodes.JsonObject(labels.Select(l =>
                KeyValuePair.Create(l.Key, (System.Text.Json.Nodes.JsonNode?)l.Value)));
        }
        State.Put(new FakeInstance(name, zone, machineType, body) { Status = status });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
