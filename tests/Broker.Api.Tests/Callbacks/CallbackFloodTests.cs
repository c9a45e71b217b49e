using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Xunit.Abstractions;

namespace Broker.Api.Tests.Callbacks;

/// <summary>
/// Anonymous and forged-token callbacks share one small bucket per client address; a valid token has its allocation's own
/// bucket. Before, 150 anonymous requests made a valid callback get 429.
/// </summary>
public sealed class CallbackFloodTests(CallbackApp app, ITestOutputHelper output) : IClassFixture<CallbackApp>
{
    private const int Flood = 320;

    [Fact]
    public async Task A_flood_of_anonymous_and_forged_callbacks_does_not_make_a_valid_callback_wait_or_get_429()
    {
        var segment = await app.SegmentAsync();
        var victim = await app.SegmentAsync();
        var body = CallbackApp.Body(InstanceEventKind.Started, 1);
        var forged = $"v2.{DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds()}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";
        var victimBefore = await app.RowsAsync(victim);
        (await app.PostAsync(await app.SegmentAsync(), InstanceEventKind.Started)).Dispose();
        var quietSegment = await app.SegmentAsync();
        var quiet = Stopwatch.StartNew();
        (await app.PostAsync(quietSegment, InstanceEventKind.Started)).Dispose();
        var quietLatency = quiet.Elapsed;

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flood = Enumerable.Range(0, Flood).Select(i => Task.Run(async () =>
        {
            await go.Task;
            var target = i % 2 == 0 ? segment.AllocationId : victim.AllocationId;
            using var response = await app.PostAsync(target, (i % 4) switch { 0 => null, 1 => forged, 2 => "garbage", _ => "brk_not-a-key-" + i }, body);
            return response.StatusCode;
        })).ToList();
        go.SetResult();
        await Task.Delay(20);
        var clock = Stopwatch.StartNew();
        using var valid = await app.PostAsync(segment, InstanceEventKind.Started);
        var latency = clock.Elapsed;
        var statuses = await Task.WhenAll(flood);

        output.WriteLine($"valid callback: {latency.TotalMilliseconds:0} ms under the flood, {quietLatency.TotalMilliseconds:0} ms alone; " +
            $"flood: {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} x 429, {statuses.Count(s => s == HttpStatusCode.Unauthorized)} x 401");
        Assert.Equal(HttpStatusCode.Accepted, valid.StatusCode);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"the valid callback took {latency.TotalMilliseconds:0} ms under the flood");
        Assert.Equal(JobState.Running, (await app.RowsAsync(segment)).Job);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"flood answered {s}"));
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= Flood / 2, "the unauthenticated bucket is small");
        Assert.Equal(victimBefore, await app.RowsAsync(victim));

        // Straight after the flood, while the unauthenticated bucket is still empty, the other instance is not held back either.
        using var other = await app.PostAsync(victim, InstanceEventKind.Started);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }
}
