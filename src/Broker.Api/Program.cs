using Broker.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddBrokerLogging();
builder.AddBrokerTelemetry();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
    kestrel.AddServerHeader = false;
});
builder.Services
    .AddBrokerCore(builder.Configuration)
    .AddBrokerApi(builder.Configuration)
    .AddBrokerBackgroundJobs(builder.Configuration)
    .AddBrokerProviders(builder.Configuration)
    .AddBrokerOnPrem(builder.Configuration)
    .AddBrokerLifecycle(builder.Configuration)
    .AddBrokerCosts()
    .AddBrokerWhatIf(builder.Configuration)
    .AddBrokerSecrets(builder.Configuration);

var app = builder.Build();
await app.PrepareDatabaseAsync();
await app.CheckSecretsKeyAsync();
app.UseBrokerPipeline();
app.MapBrokerEndpoints();
await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
