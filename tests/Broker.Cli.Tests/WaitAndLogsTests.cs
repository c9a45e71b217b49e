using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Cli.Tests;

/// <summary><c>submit --wait</c>, <c>logs</c>, <c>status</c> and <c>cancel</c> on a job the real lifecycle runs on a simulated cloud.</summary>
[Collection(CliCollection.Name)]
public sealed partial class WaitAndLogsTests(CliBroker broker)
{
    /// <summary>Hangfire is off in tests: this does its rounds (inventory, placement, provisioning, reconciling) until disposed.</summary>
    private sealed class Lifecycle : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public Lifecycle(CliBroker broker) => loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await broker.StepAsync();
                await Task.Delay(150);
            }
        });

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    private async Task<Guid> RunningSegmentAsync(Guid job)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using (var db = broker.NewDbContext())
            {
                if (await db.Allocations.AsNoTracking().Where(a => a.JobId == job && a.State == AllocationState.Running)
                        .Select(a => (Guid?)a.Id).FirstOrDefaultAsync() is { } id)
                {
                    return id;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "the job's segment did not start");
            await Task.Delay(100);
        }
    }

    /// <summary>What the instance's log shipper does: a chunk with the allocation's callback token.</summary>
    private async Task ShipAsync(Guid segment, string stream, long offset, string text)
    {
        var token = broker.Services.GetRequiredService<CallbackTokens>()
            .Issue(segment, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1));
        using var instance = broker.CreateClient();
        instance.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await instance.PostAsJsonAsync($"/v1/instances/{segment}/logs", new { stream, offset, text });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Submit_wait_shows_progress_until_running_and_it_and_logs_follow_print_the_log_until_the_job_is_cancelled()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-wait");
        await using var lifecycle = new Lifecycle(broker);
        var output = new LiveWriter();
        var errors = new LiveWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var waiting = user.RunAsync(["submit", JobFiles.Cloud("wait-then-cancel", minutes: 600), "--wait"], "", timeout.Token, output, errors);
        await output.WaitForAsync("Submitted job", TimeSpan.FromSeconds(30));
        var id = SubmittedId().Match(output.Text).Groups["id"].Value;
        var following = user.RunAsync(["logs", id, "-f"], "", timeout.Token);
        await output.WaitForAsync("is running; following its log", TimeSpan.FromSeconds(60));
        var segment = await RunningSegmentAsync(Guid.Parse(id));
        // The simulated instance ships its own start line at stdout offset 0; the job's line comes after it.
        await ShipAsync(segment, "stdout", 1 << 20, "epoch 1 loss 0.93\n");
        await ShipAsync(segment, "stderr", 0, "warning: slow disk\n");
        await output.WaitForAsync("epoch 1 loss 0.93", TimeSpan.FromSeconds(30));
        await errors.WaitForAsync("warning: slow disk", TimeSpan.FromSeconds(30));

        var logs = await user.RunAsync("logs", id, "--tail", "1", "--json");
        var plain = await user.RunAsync("logs", id);
        var status = await user.RunAsync("status", id);
        var cancel = await user.RunAsync("cancel", id);
        var run = await waiting;
        var followed = await following;

        var page = JsonNode.Parse(logs.Out)!;
        Assert.Equal(segment.ToString(), page["segment"]!.GetValue<string>());
        Assert.Equal(["warning: slow disk"], page["lines"]!.AsArray().Select(l => l!["text"]!.GetValue<string>()));
        Assert.StartsWith("simulated ", plain.Out, StringComparison.Ordinal);
        Assert.EndsWith("\nepoch 1 loss 0.93\n", plain.Out, StringComparison.Ordinal);
        Assert.Equal("warning: slow disk\n", plain.Error);
        Assert.Matches($"(?m)^state +running", status.Out);
        Assert.Contains(segment.ToString(), status.Out, StringComparison.Ordinal);
        Assert.Contains("Why: ", status.Out, StringComparison.Ordinal);
        Assert.True(cancel.Exit == ExitCodes.Ok, cancel.ToString());
        Assert.Contains(": cancelled", cancel.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, followed.Exit);
        Assert.EndsWith("\nepoch 1 loss 0.93\n", followed.Out, StringComparison.Ordinal);
        Assert.Contains("warning: slow disk", followed.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.JobFailed, run.Exit);
        Assert.Contains($"Job {id} cancelled.", run.Out, StringComparison.Ordinal);
        var order = new[] { "submitted", "placed", "is running", "epoch 1 loss 0.93", "cancelled" }.Select(s => run.Out.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.True(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), run.ToString());
    }

    [Fact]
    public async Task Submit_wait_exits_0_when_the_job_succeeds_and_status_json_is_brokers_job()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-success");
        await using var lifecycle = new Lifecycle(broker);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var run = await user.RunAsync(["submit", JobFiles.Cloud("quick", minutes: 1), "--wait", "--json"], "", timeout.Token);

        Assert.True(run.Exit == ExitCodes.Ok, run.ToString());
        var job = JsonNode.Parse(run.Out)!;
        Assert.Equal("succeeded", job["state"]!.GetValue<string>());
        Assert.Contains("submitted", run.Error, StringComparison.Ordinal);
        var status = await user.RunAsync("status", job["id"]!.GetValue<string>(), "--json");
        var again = JsonNode.Parse(status.Out)!;
        Assert.Equal(job["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
        Assert.Contains("finished", again["timeline"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Reading_a_job_that_is_not_the_teams_shows_404_and_exits_1()
    {
        var user = broker.NewUser();
        await user.LoginAsync("submitter", "cli-missing");

        var missing = await user.RunAsync("status", Guid.NewGuid().ToString());

        Assert.Equal(ExitCodes.Refused, missing.Exit);
        Assert.Contains("(404)", missing.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex("Submitted job (?<id>[0-9a-f-]{36})")]
    private static partial Regex SubmittedId();
}
