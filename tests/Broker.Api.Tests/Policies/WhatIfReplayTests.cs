using System.Text.Json.Nodes;
using Broker.Core.Capacity;

namespace Broker.Api.Tests.Policies;

/// <summary>What-ifs over history written into the real tables: the current policy reproduces it; forbidding spot costs more.</summary>
public sealed class WhatIfReplayTests(WhatIfApp app) : IClassFixture<WhatIfApp>, IAsyncLifetime
{
    public Task InitializeAsync() => app.InitializeWorldAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_current_policy_replays_a_scripted_history_to_where_each_job_really_ran()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var t0 = WhatIfApp.Day;
        const string team = WhatIfApp.OnPremTeam;
        // The node's 4 GPUs are busy for 2 h; the next two jobs cannot wait that long (max wait 10 min) and burst, one to
        // on-demand (no spot allowed), one to spot; the last finds the node free again.
        var whole = await app.AddRunAsync(team, t0, 4, TimeSpan.FromHours(2), spotOk: false);
        var od = await app.AddRunAsync(team, t0.AddMinutes(10), 1, TimeSpan.FromHours(1), spotOk: false, "g4dn.xlarge", CapacityType.OnDemand);
        var spot = await app.AddRunAsync(team, t0.AddMinutes(20), 1, TimeSpan.FromHours(1), spotOk: true, "g4dn.xlarge", CapacityType.Spot);
        var late = await app.AddRunAsync(team, t0.AddHours(3), 2, TimeSpan.FromMinutes(30), spotOk: false);
        await app.AddJobAsync(team, t0.AddHours(4), 1, TimeSpan.FromHours(1), Broker.Core.Jobs.JobState.Cancelled);

        var run = await app.RunAsync(ops, team, WhatIfApp.Window(new { }, t0, t0.AddDays(1)));

        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        Assert.Equal(100, run["percent"]!.GetValue<int>());
        var result = run["result"]!;
        Assert.Equal(4, result["jobs"]!.GetValue<int>());
        Assert.Equal(1, result["skippedJobs"]!.GetValue<int>());
        Assert.Equal(0, result["changedJobs"]!.GetValue<int>());
        Assert.Equal(4, result["matchesHistory"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(result["current"], result["proposed"]), $"{result["current"]} vs {result["proposed"]}");
        var id = run["id"]!.GetValue<Guid>();
        Assert.Empty(await app.AllChangesAsync(ops, id, all: false));
        var all = (await app.AllChangesAsync(ops, id, all: true)).ToDictionary(i => i["jobId"]!.GetValue<string>());
        Assert.Equal(4, all.Count);
        foreach (var (job, target, market, node) in new[]
        {
            (whole, "onprem", "onprem", WhatIfApp.Node), (od, "cloud", "ondemand", null), (spot, "cloud", "spot", null),
            (late, "onprem", "onprem", WhatIfApp.Node),
        })
        {
            var item = all[job.ToString()];
            foreach (var side in new[] { "current", "actual" })
            {
                Assert.Equal(target, item[side]!["target"]!.GetValue<string>());
                Assert.Equal(market, item[side]!["market"]!.GetValue<string>());
                Assert.Equal(node, item[side]!["node"]?.GetValue<string>());
                Assert.Equal(target == "cloud" ? "g4dn.xlarge" : null, item[side]!["instanceType"]?.GetValue<string>());
            }
        }
        var summary = result["current"]!;
        Assert.Equal(0, summary["preemptions"]!.GetValue<int>());
        Assert.True(summary["costByMarket"]!["spot"]!.GetValue<decimal>() > 0);
        Assert.True(summary["costByMarket"]!["ondemand"]!.GetValue<decimal>() > 0);
        Assert.True(summary["onPremUtilization"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Forbidding_spot_removes_the_preemptions_and_costs_more_than_the_spot_allowing_policy()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var t0 = WhatIfApp.Day.AddDays(-5);
        const string team = "wi-spot";
        // No on-prem mapping: cloud only. Spot disappears 6 h after the window starts, while these checkpointing jobs run.
        for (var i = 0; i < 6; i++)
        {
            await app.AddRunAsync(team, t0.AddHours(5.5).AddMinutes(i), 1, TimeSpan.FromHours(1), spotOk: true, "g4dn.xlarge",
                CapacityType.Spot, checkpoint: TimeSpan.FromMinutes(10));
        }

        var run = await app.RunAsync(ops, team, WhatIfApp.Window(new { markets = new[] { "on-demand" } }, t0, t0.AddDays(1)));

        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        var current = run["result"]!["current"]!;
        var proposed = run["result"]!["proposed"]!;
        Assert.True(current["preemptions"]!.GetValue<int>() > 0, current.ToJsonString());
        Assert.True(current["costByMarket"]!["spot"]!.GetValue<decimal>() > 0);
        Assert.Equal(0, proposed["preemptions"]!.GetValue<int>());
        Assert.Equal(0m, proposed["costByMarket"]!["spot"]!.GetValue<decimal>());
        Assert.True(proposed["cloudSpend"]!.GetValue<decimal>() > current["cloudSpend"]!.GetValue<decimal>(),
            $"proposed {proposed["cloudSpend"]} vs current {current["cloudSpend"]}");
        var id = run["id"]!.GetValue<Guid>();
        var all = await app.AllChangesAsync(ops, id, all: true);
        var changed = await app.AllChangesAsync(ops, id, all: false);
        Assert.All(all, i => Assert.Equal("ondemand", i["proposed"]!["market"]!.GetValue<string>()));
        Assert.Equal(all.Count(i => i["current"]!["market"]!.GetValue<string>() == "spot"), changed.Count);
        Assert.Equal(changed.Count, run["result"]!["changedJobs"]!.GetValue<int>());
        Assert.NotEmpty(changed);
    }

    [Fact]
    public async Task The_replay_plans_with_what_users_asked_for_not_with_the_runtimes_history_revealed()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var t0 = WhatIfApp.Day.AddDays(-10);
        const string team = WhatIfApp.OnPremTeam;
        // The first job asked for 8 h of the node's 4 GPUs and ran 15 min. The second, 5 min later, really got the node when
        // the first ended. Knowing only the 8 h estimate (max wait 10 min), the engine cannot plan to wait: it bursts at once.
        var first = await app.AddRunAsync(team, t0, 4, TimeSpan.FromMinutes(15), spotOk: false, estimate: TimeSpan.FromHours(8));
        var second = await app.AddRunAsync(team, t0.AddMinutes(5), 4, TimeSpan.FromHours(1), spotOk: false,
            startDelay: TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(5));

        var run = await app.RunAsync(ops, team, WhatIfApp.Window(new { }, t0, t0.AddDays(1)));

        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        var all = (await app.AllChangesAsync(ops, run["id"]!.GetValue<Guid>(), all: true)).ToDictionary(i => i["jobId"]!.GetValue<string>());
        Assert.Equal("onprem", all[first.ToString()]["current"]!["target"]!.GetValue<string>());
        var replayed = all[second.ToString()];
        Assert.Equal("onprem", replayed["actual"]!["target"]!.GetValue<string>());
        Assert.Equal("cloud", replayed["current"]!["target"]!.GetValue<string>());
        Assert.Equal("ondemand", replayed["current"]!["market"]!.GetValue<string>());
    }

    [Fact]
    public async Task Quarter_gpu_jobs_replay_packed_on_one_shared_gpu_as_they_ran_not_queued_as_whole_gpus()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var t0 = WhatIfApp.Day.AddDays(-15);
        const string team = WhatIfApp.OnPremTeam;
        // Four quarter-GPU jobs ran at once on the node's one L4 (4 shards). As whole GPUs they would queue an hour apart
        // behind each other (no cloud offer has an L4).
        var jobs = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            jobs.Add(await app.AddRunAsync(team, t0.AddSeconds(i), 1, TimeSpan.FromHours(1), spotOk: false, share: 0.25m));
        }

        var run = await app.RunAsync(ops, team, WhatIfApp.Window(new { }, t0, t0.AddDays(1)));

        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        var current = run["result"]!["current"]!;
        Assert.Equal(4, current["jobsCompleted"]!.GetValue<int>());
        Assert.True(current["waitP95Seconds"]!.GetValue<double>() < 600, current.ToJsonString());
        Assert.Equal(0m, current["cloudSpend"]!.GetValue<decimal>());
        var all = (await app.AllChangesAsync(ops, run["id"]!.GetValue<Guid>(), all: true)).ToDictionary(i => i["jobId"]!.GetValue<string>());
        var starts = new List<DateTimeOffset>();
        foreach (var job in jobs)
        {
            var replayed = all[job.ToString()]["current"]!;
            Assert.Equal("onprem", replayed["target"]!.GetValue<string>());
            Assert.Equal(WhatIfApp.SharedNode, replayed["node"]!.GetValue<string>());
            starts.Add(replayed["startedAt"]!.GetValue<DateTimeOffset>());
        }
        Assert.True(starts.Max() - starts.Min() < TimeSpan.FromMinutes(10), string.Join(", ", starts));
    }
}
