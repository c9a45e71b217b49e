using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// On-prem jobs run as their team's unprivileged user on the real Slurm cluster, whatever they run. The suite itself runs as
/// root (so it can read every file it checks); the jobs must not.
/// </summary>
[Collection(LifecycleCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TenancyTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private const string TenantA = "tenant-a";

    [Fact]
    public async Task The_attackers_probe_runs_as_the_teams_user_and_cannot_read_brokers_secrets()
    {
        var secrets = await SecretsDirectoryAsync();
        var targets = new[] { "admin.key", "callback.secret", "pg.password" }.Select(f => Path.Combine(secrets, f))
            .Append(Path.Combine(SlurmServer.Directory, "secrets", "jwt.key")).ToArray();
        Assert.All(targets, t => Assert.True(File.Exists(t), t + " should exist for the probe to mean anything"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", TenantA));

        var job = await RunAsync(client, ["bash", "-c", "id; for f in \"$@\"; do cat -- \"$f\"; done", "probe", .. targets]);

        Assert.Equal("failed", job.State);
        var output = await File.ReadAllTextAsync(Path.Combine(job.Directory, "output.log"));
        Assert.Contains($"uid={Uid(SlurmServer.TeamUserA)}({SlurmServer.TeamUserA})", output, StringComparison.Ordinal);
        Assert.DoesNotContain("uid=0(", output, StringComparison.Ordinal);
        Assert.All(targets, t => Assert.Contains($"{t}: Permission denied", output, StringComparison.Ordinal));
        foreach (var target in targets)
        {
            Assert.DoesNotContain((await File.ReadAllTextAsync(target)).Trim(), output, StringComparison.Ordinal);
        }
        Assert.Equal($"{SlurmServer.TeamUserA} 700", await StatAsync(job.Directory));
        Assert.Equal((SlurmServer.TeamUserA, Uid(SlurmServer.TeamUserA)), await SlurmRecordUserAsync(job.ClusterJobId));
        Directory.Delete(Path.GetDirectoryName(secrets)!, recursive: true);
    }

    [Fact]
    public async Task A_job_cannot_list_or_read_another_teams_output()
    {
        var marker = $"team-b-output-{Guid.NewGuid():N}";
        using var teamB = app.ClientWithKey(await app.CreateKeyAsync("submitter", LifecycleApp.SecondTenant));
        var victim = await RunAsync(teamB, ["bash", "-c", "echo \"$1\"", "writer", marker], SlurmServer.TeamUserB);
        Assert.Equal("succeeded", victim.State);
        var victimOutput = Path.Combine(victim.Directory, "output.log");
        Assert.Contains(marker, await File.ReadAllTextAsync(victimOutput), StringComparison.Ordinal);
        Assert.Equal($"{SlurmServer.TeamUserB} 700", await StatAsync(Path.GetDirectoryName(victim.Directory)!));
        using var teamA = app.ClientWithKey(await app.CreateKeyAsync("submitter", TenantA));

        var probe = await RunAsync(teamA, ["bash", "-c", "id -un; ls -- \"$1\"; cat -- \"$2\"", "probe", Path.GetDirectoryName(victim.Directory)!, victimOutput]);

        Assert.Equal("failed", probe.State);
        var output = await File.ReadAllTextAsync(Path.Combine(probe.Directory, "output.log"));
        Assert.StartsWith(SlurmServer.TeamUserA + "\n", output, StringComparison.Ordinal);
        Assert.Contains("Permission denied", output.Split('\n')[1], StringComparison.Ordinal);
        Assert.Contains($"{victimOutput}: Permission denied", output, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dash_leading_arguments_stay_arguments()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", TenantA));

        var job = await RunAsync(client, ["printf", "%s\\n", "-n", "--version", "-e", "--", "-"]);

        Assert.Equal("succeeded", job.State);
        Assert.Equal("-n\n--version\n-e\n--\n-\n", await File.ReadAllTextAsync(Path.Combine(job.Directory, "output.log")));
    }

    [Fact]
    public async Task A_dash_leading_first_word_is_a_command_name_not_an_option_of_exec()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", TenantA));

        var job = await RunAsync(client, ["-c", "id"]);

        Assert.Equal("failed", job.State);
        Assert.Contains("-c: not found", await File.ReadAllTextAsync(Path.Combine(job.Directory, "output.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_team_without_an_onprem_user_gets_no_onprem_option_and_is_told_why_but_may_still_burst()
    {
        await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.OnPrem.InventorySync>().RunAsync(default));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "unmapped"));
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body("unmapped-l4", ["L4"], ["sleep", "1"]));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var preview = await ops.PostAsync("/v1/placement/preview", null);
        var decision = (await JobApi.ReadAsync(preview))["decisions"]!.AsArray().Single(d => d!.Str("jobId") == job.Id())!;
        await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Scheduling.PlacementRound>().RunAsync(default));

        Assert.NotEqual("onprem", decision.Str("action"));
        var onPrem = decision["rejected"]!.AsArray().Single(r => r!.Str("option") == "on-prem")!;
        Assert.Equal(("policy", "team unmapped has no on-prem user mapping"), (onPrem.Str("reason"), onPrem.Str("detail")));
        Assert.Contains("team unmapped has no on-prem user mapping", decision.Str("chosen"), StringComparison.Ordinal);
        var placement = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!["placement"]!;
        Assert.Equal("cloud", placement.Str("action"));
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        Assert.False(segment.IsOnPrem);
        (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () =>
        {
            await using var after = app.NewDbContext();
            return !await after.Allocations.AnyAsync(a => a.JobId == Guid.Parse(job.Id()) && a.State != AllocationState.Closed);
        }, "the cloud segment to close");
    }

    private sealed record Ran(string State, string ClusterJobId, string Directory);

    /// <summary>Submits a one-GPU on-prem job (L4), steps Broker until it ends, and returns where its files are.</summary>
    private async Task<Ran> RunAsync(HttpClient client, string[] command, string user = SlurmServer.TeamUserA)
    {
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body($"tenancy-{Guid.NewGuid():N}", ["L4"], command));
        var id = job.Id();
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, id) is "succeeded" or "failed", "the job to end");
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(id));
        Assert.True(segment.IsOnPrem, "the job should have run on-prem");
        return new Ran(await FaultJobs.StateAsync(client, id), segment.ExternalId!, Path.Combine(SlurmServer.OutputRoot, user, segment.Id.ToString()));
    }

    /// <summary>A directory like run.sh's <c>.local</c> (made by <c>scripts/secrets.sh</c>) in a parent every user may enter.</summary>
    private static async Task<string> SecretsDirectoryAsync()
    {
        var parent = Directory.CreateTempSubdirectory("broker-tenancy-").FullName;
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
        var secrets = Path.Combine(parent, ".local");
        await FaultJobs.RunScriptAsync("secrets.sh", new Dictionary<string, string>(), secrets);
        return secrets;
    }

    private static int Uid(string user) =>
        Broker.Core.OnPrem.PasswdFile.Read(Broker.Core.OnPrem.PasswdFile.DefaultPath)[user];

    private static async Task<string> StatAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%U %a", path])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return output.Trim();
    }

    /// <summary>Slurm's own record of the job's user (<c>GET /slurm/v0.0.38/job/{id}</c>).</summary>
    private static async Task<(string?, int?)> SlurmRecordUserAsync(string clusterJobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SlurmServer.Url) };
        http.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        http.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        var record = (await http.GetFromJsonAsync<JsonObject>($"/slurm/v0.0.38/job/{clusterJobId}"))!["jobs"]![0]!;
        return (record["user_name"]?.GetValue<string>(), record["user_id"]?.GetValue<int>());
    }
}
