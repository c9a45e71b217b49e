using System.Text.Json;
using Broker.Core.Provisioning;
using Broker.Testing;

namespace Broker.Core.Tests.Provisioning;

/// <summary>
/// The on-prem container run section inside the real batch script, under real bash, umoci and runc, on a busybox image
/// built offline into a local OCI layout; Broker is the sandbox's stub curl.
/// </summary>
public sealed class OnPremContainerRunSectionTests : IAsyncLifetime
{
    private const string Tag = "busybox:1.36";
    private const string Marker = "only-in-the-image";
    private static readonly Guid AllocationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly Guid JobId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private readonly StartupScriptSandbox sandbox = new();
    private BusyboxImageStore images = null!;

    public async Task InitializeAsync() =>
        images = await BusyboxImageStore.CreateAsync(Tag, new Dictionary<string, string> { ["/etc/broker-marker"] = Marker + "\n" });

    private string Script(string image, IReadOnlyList<string> command)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("container-test-secret-0123456789abcdef0123");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var set = new CallbackTokenSet(tokens.Issue(AllocationId, InstanceEventKind.Started, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.InterruptionNotice, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.Finished, CallbackPurpose.OnPremScript, expiry));
        return OnPremBatchScript.Render(AllocationId, new Uri("http://broker.example.com/"), set,
            OnPremContainerRunSection.Render(JobId, AllocationId, image, command, images.Layout));
    }

    private string Stdout() => string.Concat(sandbox.ShippedLogs.Select(body => JsonDocument.Parse(body).RootElement)
        .Where(c => c.GetProperty("stream").GetString() == "stdout").OrderBy(c => c.GetProperty("offset").GetInt64())
        .Select(c => c.GetProperty("text").GetString()));

    [Fact]
    public async Task The_command_runs_inside_the_image_word_for_word_with_exactly_the_named_variables()
    {
        string[] words = ["it's", "$(touch /tmp/broker-container-pwned)", "`id`", "a  b", "-e", "--", "\"dq\"", "back\\slash", "ünï ✓", "*"];
        var command = new[] { "sh", "-c", "cat /etc/broker-marker; tr '\\0' ' ' </proc/1/cmdline | head -c 2; echo; "
            + "for w in \"$@\"; do echo \"[$w]\"; done; echo \"SECRET=[$SECRET]\"; echo \"host-dir=${BROKER_OUTPUT_DIR:-unset}\"; "
            + "echo \"unset=${NOT_SET-none}\"; exit 7", "job" }.Concat(words).ToArray();

        var (exitCode, output) = await sandbox.Run(Script(Tag, command), new Dictionary<string, string>
        {
            ["SECRET"] = "v'a\"l\\ue $(x) \u0001 tab\tend",
            ["BROKER_ENV_NAMES"] = "SECRET NOT_SET BROKER_OUTPUT_DIR bad-name *",
        });

        Assert.True(exitCode == 7, output);
        var stdout = Stdout();
        var lines = stdout.Split('\n');
        Assert.Equal(Marker, lines[0]);
        Assert.Equal("sh", lines[1]);
        Assert.Equal(words.Select(w => $"[{w}]"), lines[2..(2 + words.Length)]);
        Assert.Contains("SECRET=[v'a\"l\\ue $(x) \u0001 tab\tend]", stdout, StringComparison.Ordinal);
        Assert.Contains("host-dir=unset", stdout, StringComparison.Ordinal);
        Assert.Contains("unset=none", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/broker-container-pwned"), "a $() inside a word must not run");
        Assert.Equal("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":7}", sandbox.Events[^1]);
        Assert.False(Directory.Exists(Path.Combine(sandbox.JobDirectory, "bundle")), "the unpacked bundle is removed after the run");
    }

    [Fact]
    public async Task An_image_missing_from_the_store_fails_with_exit_125_and_says_so_in_the_finished_reason()
    {
        var (exitCode, output) = await sandbox.Run(Script("ghcr.io/acme/missing", ["true"]));

        Assert.True(exitCode == OnPremContainerRunSection.SetupFailedExitCode, output);
        using var finished = JsonDocument.Parse(sandbox.Events[^1]);
        Assert.Equal("image 'ghcr.io/acme/missing' (tag ghcr.io/acme/missing:latest) is not in the site image store",
            finished.RootElement.GetProperty("reason").GetString());
        Assert.Equal(125, finished.RootElement.GetProperty("exitCode").GetInt32());
        var stderr = string.Concat(sandbox.ShippedLogs.Select(body => JsonDocument.Parse(body).RootElement)
            .Where(c => c.GetProperty("stream").GetString() == "stderr").Select(c => c.GetProperty("text").GetString()));
        Assert.Contains("broker: image 'ghcr.io/acme/missing' (tag ghcr.io/acme/missing:latest) is not in the site image store", stderr,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1.36", "busybox:1.36")]
    [InlineData("ghcr.io/acme/train:1.4", "ghcr.io/acme/train:1.4")]
    [InlineData("localhost:5000/acme/train", "localhost:5000/acme/train:latest")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void An_image_is_looked_up_by_its_reference_with_latest_only_when_it_names_no_tag_or_digest(string image, string tag) =>
        Assert.Equal(tag, OnPremContainerRunSection.StoreRefName(image));

    [Theory]
    [InlineData("relative/store")]
    [InlineData("/srv/images:v2")]
    [InlineData("/srv/images\nrm -rf /")]
    public void An_image_store_path_the_scripts_cannot_use_is_refused(string path) =>
        Assert.Throws<InvalidOperationException>(() => new OnPremImageStoreOptions { ImageStore = path }.CheckedPath());

    public Task DisposeAsync()
    {
        sandbox.Dispose();
        images.Dispose();
        return Task.CompletedTask;
    }
}
