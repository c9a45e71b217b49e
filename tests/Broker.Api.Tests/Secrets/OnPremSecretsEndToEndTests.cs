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

    /// <summary>Boot scripts the simulated clouds were given, by allocation; their instances run for ten simulated hours.</summary>
    public RecordingWorkload Workload { get; } = new();

    protected override void OverrideServices(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(Logs);
        services.AddSingleton<Broker.Providers.Simulated.ISimulatedWorkload>(Workload);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

public sealed class RecordingWorkload : Broker.Providers.Simulated.ISimulatedWorkload
{
    public System.Collections.Concurrent.ConcurrentDictionary<Guid, string> Scripts { get; } = new();

    public Broker.Providers.Simulated.SimulatedRun Plan(Broker.Core.Provisioning.InstanceRequest request)
    {
        Scripts[request.AllocationId] = request.StartupScript;
        return new(TimeSpan.FromHours(10), 0);
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
        var output = await File.ReadAllTextAsync(Path.Combine(SlurmServer.OutputRoot, SlurmServer.TeamUserA, allocation, "stdout.log"));
        Assert.True(done.Str("state") == "succeeded", shown + output);
        Assert.Equal("onprem", done["segments"]![0]!.Str("location"));
        Assert.Contains($"seen={secret}|fast lane|HF_TOKEN MODE\n", output, StringComparison.Ordinal);
        Assert.Contains($"Allocation {allocation} of job {job.Id()} fetched its 2 variables (HF_TOKEN MODE)", app.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..20], shown + app.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret))[..20], app.Logs.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The boot script Broker gave a simulated cloud instance, run under real bash with real curl against this Broker and a
    /// stand-in docker that records, for each <c>--env NAME</c>, the value in its own environment.
    /// </summary>
    [Fact]
    public async Task A_cloud_jobs_boot_script_fetches_its_variables_from_broker_and_hands_them_to_the_container_by_name()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "cloud-env"));
        var secret = $"cl0ud-{Guid.NewGuid():N} 'q' $(id)";
        (await ops.PostAsJsonAsync("/v1/secrets", new { name = "e2e-cloud-token", value = secret })).EnsureSuccessStatusCode();
        var body = JobApi.ValidBody("env-cloud-e2e");
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body.Remove("maxPricePerGpuHour");
        body["env"] = new JsonObject { ["MODE"] = "fast lane" };
        body["secretEnv"] = new JsonObject { ["API_TOKEN"] = "e2e-cloud-token" };
        var job = await JobApi.SubmitAsync(team, body);
        await app.StepUntilAsync(async () => (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!["segments"]!.AsArray()
            .Any(s => s!.Str("location") == "cloud" && s!.Str("state") is "provisioning" or "running"), "the cloud segment to come up");
        var segment = JsonNode.Parse(await team.GetStringAsync($"/v1/jobs/{job.Id()}"))!["segments"]!.AsArray()[^1]!;
        var script = app.Workload.Scripts[Guid.Parse(segment.Str("allocationId"))];
        var sandbox = Directory.CreateTempSubdirectory("broker-cloud-env-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(sandbox, "bin")).FullName;
            await File.WriteAllTextAsync(Path.Combine(bin, "docker"), """
                #!/bin/bash
                prev=""
                for a in "$@"; do
                    if [ "$prev" = --env ] && [[ $a != *=* ]]; then printf '%s=%s\0' "$a" "${!a-<unset>}" >> "$SANDBOX/docker-env"; fi
                    prev="$a"
                done
                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(bin, "docker"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            await File.WriteAllTextAsync(Path.Combine(sandbox, "boot.sh"), script);
            var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(sandbox, "boot.sh"));
            start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            start.Environment["SANDBOX"] = sandbox;
            start.Environment["BROKER_STATE_DIR"] = Path.Combine(sandbox, "state");
            using var boot = System.Diagnostics.Process.Start(start)!;
            var output = boot.StandardOutput.ReadToEndAsync();
            var errors = boot.StandardError.ReadToEndAsync();
            using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await boot.WaitForExitAsync(hang.Token);
            var printed = await output + await errors;

            Assert.True(boot.ExitCode == 0, printed);
            Assert.Equal([$"API_TOKEN={secret}", "MODE=fast lane"], (await File.ReadAllTextAsync(Path.Combine(sandbox, "docker-env"))).Split('\0')[..^1]);
            Assert.DoesNotContain(secret[..20], script + printed + app.Logs.Text, StringComparison.Ordinal);
            Assert.Contains("broker_env_fetch && docker run", script, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }
}
