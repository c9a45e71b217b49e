using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Api.Tests.Secrets;

/// <summary>
/// The lifecycle app on a real loopback port, so the Slurm jobs' own batch scripts reach Broker: their callbacks, and the
/// environment fetch of ADR 0015. Every log line is captured.
/// </summary>
public sealed class ListeningLifecycleApp : LifecycleApp
{
    public static readonly int Port = FreePort();

    public ListeningLifecycleApp() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));

    public CapturedLogs Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:OnPremCallbacks"] = "true",
        ["Lifecycle:CallbackBaseUrl"] = $"http://127.0.0.1:{Port}/",
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
    };

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

[Collection(LifecycleCollection.Name)]
public sealed class OnPremSecretsEndToEndTests(ListeningLifecycleApp app) : IClassFixture<ListeningLifecycleApp>
{
    [Fact]
    public async Task A_slurm_job_placed_by_broker_sees_its_secret_and_plain_variables_which_stay_out_of_the_api_and_the_logs()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        var secret = $"s3cret-{Guid.NewGuid():N} 'q' $(id)";
        (await ops.PostAsJsonAsync("/v1/secrets", new { name = "e2e-hf-token", value = secret, teams = new[] { "onprem" } })).EnsureSuccessStatusCode();
        var body = JobApi.ValidBody("env-e2e");
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray("bash", "-c", "printf 'seen=%s|%s|%s\\n' \"$HF_TOKEN\" \"$MODE\" \"$BROKER_ENV_NAMES\"");
        body["estimatedDurationMinutes"] = 5;
        body.Remove("maxPricePerGpuHour");
        body["env"] = new JsonObject { ["MODE"] = "fast lane" };
        body["secretEnv"] = new JsonObject { ["HF_TOKEN"] = "e2e-hf-token" };
        var job = await JobApi.SubmitAsync(team, body);

        await app.StepUntilAsync(async () => (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!.Str("state")
            is "succeeded" or "failed", "the Slurm job to finish", seconds: 120);

        var shown = await team.GetStringAsync($"/v1/jobs/{job.Id()}");
        var done = JsonNode.Parse(shown)!;
        var allocation = done["segments"]![0]!.Str("allocationId");
        var output = await File.ReadAllTextAsync(Path.Combine(SlurmServer.OutputRoot, SlurmServer.TeamUserA, allocation, "output.log"));
        Assert.True(done.Str("state") == "succeeded", shown + output);
        Assert.Equal("onprem", done["segments"]![0]!.Str("location"));
        Assert.Contains($"seen={secret}|fast lane|HF_TOKEN MODE\n", output, StringComparison.Ordinal);
        Assert.Contains($"Allocation {allocation} of job {job.Id()} fetched its 2 variables (HF_TOKEN MODE)", app.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..20], shown + app.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret))[..20], app.Logs.Text, StringComparison.Ordinal);
    }
}
