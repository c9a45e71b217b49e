using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Logs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Logs;

/// <summary>The API with a small per-job log cap, so the tests see oldest chunks dropped.</summary>
public sealed class LogsApp : BrokerApp
{
    public const int CapBytes = 64;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["Logs:MaxBytesPerJob"] = CapBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logs:FollowPollInterval"] = "00:00:00.050",
    };
}

/// <summary>Shipping output chunks with the callback token and reading or following them (issue 16).</summary>
public sealed class JobLogsTests(LogsApp app) : IClassFixture<LogsApp>
{
    private async Task<(HttpClient Team, Guid JobId, Guid Segment, HttpClient Instance)> RunningSegmentAsync()
    {
        var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var job = await JobApi.SubmitAsync(team);
        var jobId = Guid.Parse(job.Id());
        var allocation = new Allocation
        {
            Id = Guid.CreateVersion7(), JobId = jobId, Market = CapacityType.OnDemand, Provider = "aws", Region = "us-east-1",
            Zone = "us-east-1a", InstanceType = "p5.48xlarge", GpuModel = "H100-80GB", Gpus = 2, PricePerHour = 12m,
            State = AllocationState.Running, ExternalId = "i-logs", CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow,
        };
        await using (var db = app.NewDbContext())
        {
            db.Allocations.Add(allocation);
            await db.SaveChangesAsync();
        }
        var token = app.Services.GetRequiredService<CallbackTokens>()
            .Issue(allocation.Id, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1));
        var instance = app.CreateClient();
        instance.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (team, jobId, allocation.Id, instance);
    }

    private static async Task<HttpStatusCode> ShipAsync(HttpClient instance, Guid segment, string stream, long offset, string text)
    {
        using var response = await instance.PostAsJsonAsync($"/v1/instances/{segment}/logs", new { stream, offset, text });
        return response.StatusCode;
    }

    private static List<string> Lines(JsonObject page) => [.. page["lines"]!.AsArray().Select(l => $"{l!["stream"]}:{l["text"]}")];

    [Fact]
    public async Task Chunks_are_stored_once_by_offset_and_read_back_in_order_and_by_tail()
    {
        var (team, jobId, segment, instance) = await RunningSegmentAsync();

        Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, segment, "stdout", 0, "epoch 1\nepoch 2\n"));
        Assert.Equal(HttpStatusCode.OK, await ShipAsync(instance, segment, "stdout", 0, "epoch 1\nepoch 2\n"));
        Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, segment, "stderr", 0, "warning\n"));

        var all = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}/logs"))!;
        var last = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}/logs?segment={segment}&tail=1"))!;
        Assert.Equal(["stdout:epoch 1", "stdout:epoch 2", "stderr:warning"], Lines(all));
        Assert.Equal(["stderr:warning"], Lines(last));
        Assert.False(all["ended"]!.GetValue<bool>());
        Assert.Equal(0, all["droppedBytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_wrong_token_a_bad_stream_and_a_bad_tail_are_refused()
    {
        var (team, jobId, segment, _) = await RunningSegmentAsync();
        var (_, _, otherSegment, otherInstance) = await RunningSegmentAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await ShipAsync(otherInstance, segment, "stdout", 0, "x\n"));
        Assert.Equal(HttpStatusCode.BadRequest, await ShipAsync(otherInstance, otherSegment, "stdin", 0, "x\n"));
        using var badTail = await team.GetAsync($"/v1/jobs/{jobId}/logs?tail=0");
        Assert.Equal(HttpStatusCode.BadRequest, badTail.StatusCode);
        using var foreignSegment = await team.GetAsync($"/v1/jobs/{jobId}/logs?segment={otherSegment}");
        Assert.Equal(HttpStatusCode.NotFound, foreignSegment.StatusCode);
    }

    [Fact]
    public async Task Beyond_the_cap_the_oldest_chunks_are_dropped_and_the_response_says_how_much()
    {
        var (team, jobId, segment, instance) = await RunningSegmentAsync();
        var chunk = new string('x', 29) + "\n"; // 30 bytes: three of them exceed the 64-byte cap, two do not
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, segment, "stdout", i * 30L, chunk.Replace('x', (char)('a' + i))));
        }

        var page = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}/logs"))!;

        Assert.Equal(["stdout:" + new string('b', 29), "stdout:" + new string('c', 29)], Lines(page));
        Assert.Equal(30, page["droppedBytes"]!.GetValue<long>());
        Assert.True(page["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Chunks_appended_in_one_call_are_stored_and_capped_as_if_shipped_one_by_one()
    {
        var (team, oneByOneJob, oneByOne, instance) = await RunningSegmentAsync();
        var (_, batchedJob, batched, _) = await RunningSegmentAsync();
        // 30, 30, 8, 30 bytes against the 64-byte cap: the first two go, as does only what the cap requires.
        LogChunkText[] chunks =
        [
            new("stdout", 0, new string('a', 29) + "\n"), new("stdout", 30, new string('b', 29) + "\n"), new("stderr", 0, "warning\n"),
            new("stdout", 60, new string('c', 29) + "\n"),
        ];
        foreach (var chunk in chunks)
        {
            Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, oneByOne, chunk.Stream, chunk.Offset, chunk.Text));
        }

        IReadOnlyList<LogAppendResult> first, rest, unknown;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var logs = scope.ServiceProvider.GetRequiredService<LogStore>();
            first = await logs.AppendAllAsync(batched, chunks[..1], default);
            rest = await logs.AppendAllAsync(batched, chunks, default);
            unknown = await logs.AppendAllAsync(Guid.NewGuid(), chunks[..2], default);
        }
        var expected = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{oneByOneJob}/logs"))!;
        var actual = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{batchedJob}/logs"))!;

        Assert.Equal([LogAppendResult.Stored], first);
        Assert.Equal([LogAppendResult.Duplicate, LogAppendResult.Stored, LogAppendResult.Stored, LogAppendResult.Stored], rest);
        Assert.Equal([LogAppendResult.UnknownAllocation, LogAppendResult.UnknownAllocation], unknown);
        Assert.Equal(["stderr:warning", "stdout:" + new string('c', 29)], Lines(expected));
        Assert.Equal(Lines(expected), Lines(actual));
        Assert.Equal(60, expected["droppedBytes"]!.GetValue<long>());
        Assert.Equal(60, actual["droppedBytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task Follow_delivers_lines_as_they_are_shipped_and_ends_with_the_segment_whose_logs_outlive_it()
    {
        var (team, jobId, segment, instance) = await RunningSegmentAsync();
        Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, segment, "stdout", 0, "before\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await team.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{jobId}/logs?follow=true"),
            HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        async Task<(string Kind, string Data)> NextAsync()
        {
            string? kind = null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    kind = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null)
                {
                    return (kind, line["data: ".Length..]);
                }
            }
            return ("eof", "");
        }

        Assert.Equal("meta", (await NextAsync()).Kind);
        Assert.Contains("before", (await NextAsync()).Data, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, await ShipAsync(instance, segment, "stdout", 7, "written later\n"));
        var later = await NextAsync();
        Assert.Equal("line", later.Kind);
        Assert.Contains("written later", later.Data, StringComparison.Ordinal);

        await using (var db = app.NewDbContext())
        {
            await db.Allocations.Where(a => a.Id == segment).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.State, AllocationState.Closed).SetProperty(a => a.End, AllocationEnd.Completed)
                .SetProperty(a => a.EndedAt, DateTimeOffset.UtcNow));
        }
        Assert.Equal("end", (await NextAsync()).Kind);
        Assert.Equal("eof", (await NextAsync()).Kind);

        var afterTermination = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}/logs?segment={segment}"))!;
        Assert.Equal(["stdout:before", "stdout:written later"], Lines(afterTermination));
        Assert.True(afterTermination["ended"]!.GetValue<bool>());
    }
}
