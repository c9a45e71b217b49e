using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Broker.Providers.Tests.Aws.Fake;

namespace Broker.Api.Tests.Chaos;

/// <summary>
/// Plays the boot script of every instance the shared EC2 fake launches, as the real script would: after a boot delay it
/// posts <c>started</c>, runs the job's <c>sleep N</c>, posts <c>finished</c> (exit 0), each with the source's time in
/// <c>at</c> and retried with backoff to the URL the script names (a killed replica comes back on the same port). It stops
/// as soon as the instance is terminated. On request it also interrupts a spot instance (notice, then the cloud takes it
/// back) and sends duplicate and late callbacks.
/// </summary>
public sealed partial class InstanceAgent : IAsyncDisposable
{
    private readonly FakeEc2Server ec2;
    private readonly Random random;
    private readonly Lock gate = new();
    private readonly HashSet<string> seen = [];
    private readonly ConcurrentDictionary<string, Task> running = new();
    private readonly CancellationTokenSource stop = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Task loop;
    private int duplicatesWanted;
    private int latesWanted;

    public InstanceAgent(FakeEc2Server ec2, int seed)
    {
        this.ec2 = ec2;
        random = new Random(seed);
        loop = Task.Run(() => WatchAsync(stop.Token));
    }

    public int DuplicatesSent;
    public int LatesSent;
    public int Interruptions;

    /// <summary>When each instance's boot script reported its events (allocation id, kind, the time sent).</summary>
    public ConcurrentBag<(Guid Allocation, string Kind, DateTimeOffset At)> Sent { get; } = [];

    /// <summary>When each instance's program started (its <c>started</c> posted), by instance id: a gang's members start apart.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> ProgramStarted { get; } = new(StringComparer.Ordinal);

    /// <summary>When the agent first saw each instance terminated (polled every 200 ms), by instance id.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> TerminatedSeen { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The instances the cloud reclaimed (spot interruptions): their allocation and when the notice was sent. At most one
    /// member of a gang: a second member reclaimed after Broker recorded the gang's interruption is not waived (docs/costs.md).
    /// </summary>
    public ConcurrentDictionary<string, (Guid Allocation, DateTimeOffset At)> Reclaimed { get; } = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> events are each posted twice.</summary>
    public void SendDuplicates(int count) => Interlocked.Add(ref duplicatesWanted, count);

    /// <summary>The next <paramref name="count"/> finished instances post a stale <c>started</c> and their <c>finished</c> again later.</summary>
    public void SendLate(int count) => Interlocked.Add(ref latesWanted, count);

    /// <summary>Interrupts one running spot instance: the interruption notice, then the cloud reclaims it two seconds later.</summary>
    public Task<bool> InterruptSpotAsync(CancellationToken ct) => InterruptAsync(gangsOnly: false, ct);

    /// <summary>
    /// Interrupts one member of a running spot gang (one whose every member's program has started): EC2 reclaims that one
    /// instance, its notice comes from that member's script, and the gang must go down and be requeued as one job.
    /// </summary>
    public Task<bool> InterruptGangMemberAsync(CancellationToken ct) => InterruptAsync(gangsOnly: true, ct);

    private async Task<bool> InterruptAsync(bool gangsOnly, CancellationToken ct)
    {
        FakeEc2Instance? victim;
        lock (gate)
        {
            var struck = Reclaimed.Values.Select(r => r.Allocation).ToHashSet();
            var candidates = ec2.Cloud.Instances.Where(i => i is { Lifecycle: "spot", State: "running" }
                && Script.TryParse(i.UserData) is { } parsed && !struck.Contains(parsed.Allocation)).ToList();
            if (gangsOnly)
            {
                candidates = [.. candidates.GroupBy(i => i.Tags.GetValueOrDefault("broker-allocation"))
                    .Where(g => g.Key is not null && g.Count() > 1 && g.All(i => ProgramStarted.ContainsKey(i.InstanceId)))
                    .SelectMany(g => g)];
            }
            victim = candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
        }
        if (victim is null)
        {
            return false;
        }
        var script = Script.TryParse(victim.UserData)!;
        Reclaimed[victim.InstanceId] = (script.Allocation, DateTimeOffset.UtcNow);
        await PostAsync(script, "interruption-notice", 2, null, DateTimeOffset.UtcNow, ct, script.Member);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        victim.State = "terminated";
        Interlocked.Increment(ref Interruptions);
        return true;
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var instance in ec2.Cloud.Instances.Where(i => i.State == "terminated"))
            {
                TerminatedSeen.TryAdd(instance.InstanceId, DateTimeOffset.UtcNow);
            }
            foreach (var instance in ec2.Cloud.Instances.Where(i => i.State == "running"))
            {
                bool fresh;
                lock (gate)
                {
                    fresh = seen.Add(instance.InstanceId);
                }
                if (fresh && Script.TryParse(instance.UserData) is { } script)
                {
                    var boot = TimeSpan.FromMilliseconds(NextInt(500, 2500));
                    running[instance.InstanceId] = Task.Run(() => RunAsync(instance, script, boot, ct), ct);
                }
            }
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunAsync(FakeEc2Instance instance, Script script, TimeSpan boot, CancellationToken ct)
    {
        try
        {
            await Task.Delay(boot, ct);
            if (instance.State != "running")
            {
                return;
            }
            ProgramStarted[instance.InstanceId] = DateTimeOffset.UtcNow;
            await PostAsync(script, "started", 1, null, ProgramStarted[instance.InstanceId], ct);
            var end = DateTime.UtcNow + TimeSpan.FromSeconds(script.Seconds);
            while (DateTime.UtcNow < end)
            {
                if (instance.State != "running")
                {
                    return;
                }
                await Task.Delay(250, ct);
            }
            var finishedAt = DateTimeOffset.UtcNow;
            await PostAsync(script, "finished", 3, 0, finishedAt, ct);
            if (Take(ref latesWanted))
            {
                Interlocked.Increment(ref LatesSent);
                await Task.Delay(TimeSpan.FromSeconds(NextInt(3, 10)), ct);
                await PostOnceAsync(script, "started", 1, null, finishedAt - TimeSpan.FromSeconds(script.Seconds), ct);
                await PostOnceAsync(script, "finished", 3, 0, finishedAt, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Like the script's retry loop: acknowledged on 200, 202 or 409; 5xx, 429 and connection errors are retried.</summary>
    private async Task PostAsync(Script script, string kind, int seq, int? exitCode, DateTimeOffset at, CancellationToken ct, int? member = null)
    {
        Sent.Add((script.Allocation, kind, at));
        var twice = Take(ref duplicatesWanted);
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var status = await PostOnceAsync(script, kind, seq, exitCode, at, ct, member);
            if (status is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.Conflict)
            {
                if (twice)
                {
                    Interlocked.Increment(ref DuplicatesSent);
                    await PostOnceAsync(script, kind, seq, exitCode, at, ct, member);
                }
                return;
            }
            if (status is { } code && (int)code < 500 && code != HttpStatusCode.TooManyRequests)
            {
                return;
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromSeconds(Math.Min(8, delay.TotalSeconds * 2));
        }
    }

    private async Task<HttpStatusCode?> PostOnceAsync(Script script, string kind, int seq, int? exitCode, DateTimeOffset at, CancellationToken ct,
        int? member = null)
    {
        var body = new StringBuilder("{\"kind\":\"").Append(kind).Append("\",\"seq\":").Append(seq);
        if (exitCode is { } code)
        {
            body.Append(",\"exitCode\":").Append(code);
        }
        if (member is { } position)
        {
            body.Append(",\"member\":").Append(position);
        }
        body.Append(",\"at\":\"").Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append("\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, script.EventsUrl)
        {
            Content = new StringContent(body.ToString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", script.Tokens[kind]);
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool Take(ref int wanted)
    {
        while (true)
        {
            var current = Volatile.Read(ref wanted);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref wanted, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    private int NextInt(int min, int max)
    {
        lock (gate)
        {
            return random.Next(min, max);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(running.Values.Append(loop).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        stop.Dispose();
        http.Dispose();
    }

    /// <summary>
    /// What the agent reads from a rendered boot script (base64 user data): where to report, the tokens, the sleep, and a
    /// gang member's position, which its interruption notice names as the real script's does.
    /// </summary>
    private sealed partial record Script(Guid Allocation, string EventsUrl, IReadOnlyDictionary<string, string> Tokens, int Seconds, int? Member)
    {
        public static Script? TryParse(string? userData)
        {
            if (userData is null)
            {
                return null;
            }
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(userData));
            var url = EventsUrlLine().Match(text);
            var sleep = SleepArguments().Match(text);
            var tokens = TokenBlocks().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            if (!url.Success || !sleep.Success || !tokens.ContainsKey("started") || !tokens.ContainsKey("finished"))
            {
                return null;
            }
            var events = url.Groups[1].Value;
            var allocation = Guid.Parse(events.Split('/')[^2]);
            var member = NoticeMember().Match(text);
            return new Script(allocation, events, tokens, int.Parse(sleep.Groups[1].Value, CultureInfo.InvariantCulture),
                member.Success ? int.Parse(member.Groups[1].Value, CultureInfo.InvariantCulture) : null);
        }

        [GeneratedRegex("\"kind\":\"interruption-notice\",\"seq\":[0-9]+,\"member\":([0-9]+)")]
        private static partial Regex NoticeMember();

        [GeneratedRegex("BROKER_EVENTS_URL='([^']+)'")]
        private static partial Regex EventsUrlLine();

        [GeneratedRegex(@"'sleep' \\\s+'(\d+)'")]
        private static partial Regex SleepArguments();

        [GeneratedRegex("    ([a-z-]+)\\)\\n        cat <<'BROKER_CURL_CONFIG'\\nheader = \"Authorization: Bearer ([^\"]+)\"")]
        private static partial Regex TokenBlocks();
    }
}
