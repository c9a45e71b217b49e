using System.Text;
using System.Text.Json;
using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

/// <summary>
/// The log shipper both scripts share (<see cref="CallbackShell"/>), run under real bash against the stub Broker: what the
/// job printed arrives, stream by stream, byte for byte, in whole-line chunks by offset, before <c>finished</c>.
/// </summary>
public sealed class LogShippingScriptTests : IDisposable
{
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly CallbackTokenSet OnPremTokens = TokensFor(CallbackPurpose.OnPremScript);
    private static readonly CallbackTokenSet CloudTokens = TokensFor(CallbackPurpose.CloudInstance);
    private readonly StartupScriptSandbox sandbox = new();

    private static CallbackTokenSet TokensFor(CallbackPurpose purpose)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("log-shipping-test-secret-0123456789abcdef");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new(tokens.Issue(AllocationId, InstanceEventKind.Started, purpose, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.InterruptionNotice, purpose, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.Finished, purpose, expiry));
    }

    private static string OnPrem(params string[] command) =>
        OnPremBatchScript.Render(AllocationId, new Uri("https://broker.example.com/"), OnPremTokens,
            "command -- " + string.Join(' ', command.Select(StartupScript.ShellQuote)) + "\n");

    private sealed record Chunk(string Stream, long Offset, string Text);

    private List<Chunk> Shipped() => [.. sandbox.ShippedLogs.Select(body =>
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["stream", "offset", "text"], root.EnumerateObject().Select(p => p.Name));
        return new Chunk(root.GetProperty("stream").GetString()!, root.GetProperty("offset").GetInt64(), root.GetProperty("text").GetString()!);
    })];

    /// <summary>The stream as Broker stores it: chunks in offset order, each starting where the one before ended.</summary>
    private string Stream(string stream)
    {
        var text = new StringBuilder();
        long next = 0;
        foreach (var chunk in Shipped().Where(c => c.Stream == stream).OrderBy(c => c.Offset))
        {
            Assert.Equal(next, chunk.Offset);
            text.Append(chunk.Text);
            next += Encoding.UTF8.GetByteCount(chunk.Text);
        }
        return text.ToString();
    }

    [Fact]
    public async Task Stdout_and_stderr_arrive_byte_for_byte_before_finished_and_the_last_line_needs_no_newline()
    {
        const string Out = "plain\n\"quotes\" and \\backslashes\\\n\ttab, \u0001 and \u001b[31m escapes\nünïcödé ✓\n$(touch pwned) `id`\nno newline at the end";
        const string Err = "warning: it's fine\n";

        var (exitCode, output) = await sandbox.Run(OnPrem("bash", "-c", "printf '%s' \"$1\"; printf '%s' \"$2\" >&2; exit 3", "job", Out, Err));

        Assert.True(exitCode == 3, output);
        Assert.Equal(Out, Stream("stdout"));
        Assert.Equal(Err, Stream("stderr"));
        Assert.Equal("event", sandbox.Calls[^1]);
        Assert.Equal(2, sandbox.Calls.Count(c => c == "event"));
        Assert.Equal("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":3}", sandbox.Events[^1]);
        Assert.False(File.Exists(Path.Combine(sandbox.JobDirectory, "pwned")), "output is data, never run");
    }

    [Fact]
    public async Task Output_is_shipped_while_the_job_runs_in_whole_line_chunks()
    {
        // The job prints a line, then waits until Broker has it: only a shipper that runs alongside the job lets it end.
        var (exitCode, output) = await sandbox.Run(OnPrem("bash", "-c",
            "echo first line; for i in $(seq 1 100); do grep -q 'first line' \"$SANDBOX/logs\" 2>/dev/null && break; sleep 0.1; done; " +
            "grep -q 'first line' \"$SANDBOX/logs\" && printf 'partial'; sleep 1.5; echo ' line'"));

        Assert.True(exitCode == 0, output);
        var stdout = Shipped().Where(c => c.Stream == "stdout").ToList();
        Assert.Equal(new Chunk("stdout", 0, "first line\n"), stdout[0]);
        Assert.Equal("first line\npartial line\n", Stream("stdout"));
        Assert.All(stdout, c => Assert.EndsWith("\n", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Big_output_goes_in_bounded_chunks_cut_at_line_ends_and_a_longer_line_is_cut()
    {
        var lines = string.Concat(Enumerable.Range(1, 40).Select(i => $"line {i}\n"));
        var longLine = new string('x', 150) + "\n";

        var (exitCode, output) = await sandbox.Run(OnPrem("bash", "-c", "printf '%s' \"$1\"; printf '%s' \"$2\"", "job", lines, longLine),
            new Dictionary<string, string> { ["BROKER_LOG_CHUNK_BYTES"] = "64" });

        Assert.True(exitCode == 0, output);
        Assert.Equal(lines + longLine, Stream("stdout"));
        var chunks = Shipped().Where(c => c.Stream == "stdout").ToList();
        Assert.All(chunks, c => Assert.InRange(Encoding.UTF8.GetByteCount(c.Text), 1, 64));
        Assert.All(chunks.Where(c => !c.Text.StartsWith('x')), c => Assert.EndsWith("\n", c.Text, StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.Text == new string('x', 64));
    }

    [Fact]
    public async Task A_chunk_is_retried_with_the_same_bytes_at_the_same_offset_and_a_refused_one_is_skipped()
    {
        sandbox.AnswerLogsWith("503", "000", "202", "400");

        var (exitCode, output) = await sandbox.Run(OnPrem("bash", "-c", "echo to-stdout; sleep 1.5; echo to-stderr >&2"));

        Assert.True(exitCode == 0, output);
        var attempts = sandbox.LogPosts.Select(p => p.Body).ToList();
        Assert.Equal(4, attempts.Count);
        Assert.Equal(attempts[0], attempts[1]);
        Assert.Equal(attempts[0], attempts[2]);
        Assert.Equal([new Chunk("stdout", 0, "to-stdout\n")], Shipped());
        Assert.Contains("stderr chunk at offset 0 was refused with HTTP 400; not retried", output, StringComparison.Ordinal);
        Assert.Equal(2, sandbox.Events.Count);
    }

    [Fact]
    public async Task Chunks_carry_a_token_in_curls_config_and_neither_the_token_nor_the_output_shows_on_a_command_line()
    {
        const string Secretish = "the job printed this";

        var (exitCode, output) = await sandbox.Run(OnPrem("echo", Secretish));

        Assert.True(exitCode == 0, output);
        Assert.Equal($"header = \"Authorization: Bearer {OnPremTokens.Finished}\"", Assert.Single(sandbox.LogPosts).Config);
        Assert.Contains($"https://broker.example.com/v1/instances/{AllocationId}/logs", sandbox.LogCurlArguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Secretish, sandbox.LogCurlArguments, StringComparison.Ordinal);
        Assert.DoesNotContain(OnPremTokens.Finished, sandbox.LogCurlArguments + sandbox.AllArguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cloud_boot_script_ships_the_containers_output_with_the_same_shipper_before_finished()
    {
        var script = StartupScript.Render(new StartupScriptSpec(Guid.NewGuid(), AllocationId, "ghcr.io/acme/train:1.2", ["python", "train.py"], 1,
            new Dictionary<string, string>(), new Uri("https://broker.example.com/"), CloudTokens));

        var (exitCode, output) = await sandbox.Run(script, new Dictionary<string, string>
        {
            ["DOCKER_STDOUT"] = "epoch 1 loss 0.5\nepoch 2 loss 0.25\n",
            ["DOCKER_STDERR"] = "cuda warning\n",
            ["DOCKER_EXIT"] = "0",
        });

        Assert.True(exitCode == 0, output);
        Assert.Equal("epoch 1 loss 0.5\nepoch 2 loss 0.25\n", Stream("stdout"));
        Assert.Equal("cuda warning\n", Stream("stderr"));
        Assert.Equal(["event", "log", "log", "event"], sandbox.Calls);
        Assert.Equal($"header = \"Authorization: Bearer {CloudTokens.Finished}\"", sandbox.LogPosts[0].Config);
    }

    public void Dispose() => sandbox.Dispose();
}
