using System.Text;
using System.Text.Json;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Tests.Slurm;

[Collection(SlurmCollection.Name)]
public sealed class SlurmClusterOutageTests(SlurmClusterFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Drained_node_is_reported_but_leaves_the_schedulable_capacity()
    {
        using var slurm = new SlurmTestCluster(fixture);
        try
        {
            var drain = await fixture.RunScriptAsync("scontrol", "update", "nodename=gpu-l4-1", "state=drain", "reason=broker-test");
            Assert.True(drain.ExitCode == 0, drain.Output);

            var inventory = await slurm.Cluster.GetInventoryAsync(None);

            var l4 = inventory.Nodes.Single(n => n.Name == "gpu-l4-1");
            Assert.Equal((OnPremNodeState.Drained, false, 4), (l4.State, l4.IsSchedulable, l4.GpuTotal));
            Assert.DoesNotContain(inventory.Nodes.Where(n => n.IsSchedulable), n => n.Name == "gpu-l4-1");
        }
        finally
        {
            await fixture.RunScriptAsync("scontrol", "update", "nodename=gpu-l4-1", "state=resume");
        }
        await Eventually.ReachAsync(() => slurm.Cluster.GetInventoryAsync(None),
            inv => inv.Nodes.Single(n => n.Name == "gpu-l4-1").IsSchedulable, "gpu-l4-1 to be schedulable again");
    }

    [Fact]
    public async Task Stopped_slurmrestd_makes_the_cluster_unavailable_without_exceptions_and_recovery_is_picked_up()
    {
        using var slurm = new SlurmTestCluster(fixture);
        Assert.True((await slurm.Cluster.GetInventoryAsync(None)).Available);
        try
        {
            Assert.Equal(0, (await fixture.RunScriptAsync("stop-rest", fixture.Directory)).ExitCode);

            var outage = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => slurm.Cluster.GetInventoryAsync(None)));

            Assert.All(outage, inv => Assert.False(inv.Available));
            Assert.Contains("cannot reach slurmrestd", outage[0].UnavailableReason, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ClusterUnavailableException>(() => slurm.Cluster.GetJobAsync(Guid.NewGuid(), None));
            Assert.Single(slurm.Logs.Entries, e => e.Level == LogLevel.Warning);
        }
        finally
        {
            var restart = await fixture.RunScriptAsync("start-rest", fixture.Directory);
            Assert.True(restart.ExitCode == 0, restart.Output);
        }

        var recovered = await slurm.Cluster.GetInventoryAsync(None);

        Assert.True(recovered.Available, recovered.UnavailableReason);
        Assert.Equal(6, recovered.Nodes.Count);
        Assert.Contains(slurm.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("reachable again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_with_a_bad_signature_gives_unavailable_with_a_clear_reason_logged_once_without_the_token()
    {
        var forged = fixture.Token[..fixture.Token.LastIndexOf('.')] + ".c2lnbmF0dXJlLW5vdC1tYWRlLWJ5LXNsdXJt";
        using var slurm = new SlurmTestCluster(fixture, forged);

        var inventories = new List<ClusterInventory>();
        for (var i = 0; i < 3; i++)
        {
            inventories.Add(await slurm.Cluster.GetInventoryAsync(None));
        }

        Assert.All(inventories, inv => Assert.False(inv.Available));
        Assert.Contains("token is wrong or expired", inventories[0].UnavailableReason, StringComparison.Ordinal);
        Assert.Single(slurm.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(slurm.Logs.Entries, e => e.Message.Contains(forged, StringComparison.Ordinal));
        await Assert.ThrowsAsync<ClusterUnavailableException>(() => slurm.Cluster.CancelAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Expired_token_is_named_as_such()
    {
        using var slurm = new SlurmTestCluster(fixture, WithClaims(fixture.Token, exp: DateTimeOffset.UtcNow.AddHours(-1)));

        var inventory = await slurm.Cluster.GetInventoryAsync(None);

        Assert.False(inventory.Available);
        Assert.Contains("token expired at", inventory.UnavailableReason, StringComparison.Ordinal);
        Assert.Single(slurm.Logs.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Missing_token_is_refused_with_401_and_explained()
    {
        using var slurm = new SlurmTestCluster(fixture, token: "");

        var inventory = await slurm.Cluster.GetInventoryAsync(None);

        Assert.False(inventory.Available);
        Assert.Contains("refused the credentials", inventory.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains("no Slurm token is configured", inventory.UnavailableReason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ClusterUnavailableException>(() => slurm.Cluster.SubmitAsync(
            new OnPremJobRequest(Guid.NewGuid(), Guid.NewGuid(), "gpu-l4-1", "l4", 1, TimeSpan.FromMinutes(1), "true",
                new Dictionary<string, string>(), SlurmServer.TeamUserA, null, fixture.TeamDirectory(SlurmServer.TeamUserA)), None));
    }

    private static string WithClaims(string token, DateTimeOffset exp)
    {
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url(parts[1]))!;
        var rewritten = new Dictionary<string, object>(claims.Select(c => KeyValuePair.Create(c.Key, (object)c.Value)))
        {
            ["exp"] = exp.ToUnixTimeSeconds(),
        };
        var payload = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(rewritten)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{parts[0]}.{payload}.{parts[2]}";
    }

    private static string Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4)));
    }
}
