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

    private string Script(string image, IReadOnlyList<string> command, IReadOnlyList<string>? devices = null)
    {
        var tokens = CallbackTokens.FromConfiguredSecret("container-test-secret-0123456789abcdef0123");
        var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var set = new CallbackTokenSet(tokens.Issue(AllocationId, InstanceEventKind.Started, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.InterruptionNotice, CallbackPurpose.OnPremScript, expiry),
            tokens.Issue(AllocationId, InstanceEventKind.Finished, CallbackPurpose.OnPremScript, expiry));
        return OnPremBatchScript.Render(AllocationId, new Uri("http://broker.example.com/"), set,
            OnPremContainerRunSection.Render(JobId, AllocationId, image, command, images.Layout,
                devices ?? OnPremImageStoreOptions.DefaultContainerDevices));
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
    public async Task The_nodes_devices_matching_the_patterns_are_bound_into_dev_with_slurms_gpu_selection_in_the_env()
    {
        var devices = Directory.CreateTempSubdirectory("broker-devices-");
        try
        {
            var node = Directory.CreateDirectory(Path.Combine(devices.FullName, "node-a"));
            Directory.CreateDirectory(Path.Combine(devices.FullName, "node-b"));
            foreach (var name in new[] { "nvidia0", "nvidia1", "nvidiactl", "not-a-gpu" })
            {
                await File.WriteAllTextAsync(Path.Combine(node.FullName, name), $"this is {name}\n");
            }
            await File.WriteAllTextAsync(Path.Combine(devices.FullName, "node-b", "nvidia7"), "another node's\n");
            Directory.CreateDirectory(Path.Combine(node.FullName, "nvidia9"));
            var pwned = Path.Combine(devices.FullName, "pwned");
            string[] patterns = [Path.Combine(devices.FullName, "{node}", "nvidia[0-9]*"), Path.Combine(devices.FullName, "{node}", "nvidiactl"),
                Path.Combine(devices.FullName, "{node}", "nvidia-uvm"), devices.FullName + "/$(touch " + pwned + ")*"];

            var (exitCode, output) = await sandbox.Run(Script(Tag, ["sh", "-c",
                "ls /dev; cat /dev/nvidia1; echo \"CUDA=$CUDA_VISIBLE_DEVICES\"; echo \"JOB_GPUS=$SLURM_JOB_GPUS\"; "
                + "echo \"ORDINAL=${GPU_DEVICE_ORDINAL-unset}\""], patterns), new Dictionary<string, string>
            {
                ["SLURMD_NODENAME"] = "node-a",
                ["CUDA_VISIBLE_DEVICES"] = "0,1",
                ["SLURM_JOB_GPUS"] = "2,3",
            });

            Assert.True(exitCode == 0, output);
            var lines = Stdout().Split('\n');
            var listed = lines.TakeWhile(l => !l.StartsWith("this is", StringComparison.Ordinal)).ToHashSet();
            Assert.Contains("nvidia0", listed);
            Assert.Contains("nvidia1", listed);
            Assert.Contains("nvidiactl", listed);
            Assert.DoesNotContain("not-a-gpu", listed);
            Assert.DoesNotContain("nvidia7", listed);
            Assert.DoesNotContain("nvidia9", listed);
            Assert.DoesNotContain("nvidia-uvm", listed);
            Assert.Contains("this is nvidia1", lines);
            Assert.Contains("CUDA=0,1", lines);
            Assert.Contains("JOB_GPUS=2,3", lines);
            Assert.Contains("ORDINAL=unset", lines);
            Assert.False(File.Exists(pwned), "a $() inside a device pattern must not run");
        }
        finally
        {
            devices.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task In_a_gang_every_member_node_runs_its_own_container_with_its_own_devices_in_one_step()
    {
        var devices = Directory.CreateTempSubdirectory("broker-devices-");
        try
        {
            foreach (var node in new[] { "node-a", "node-b" })
            {
                var dir = Directory.CreateDirectory(Path.Combine(devices.FullName, node));
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "nvidia0"), $"gpu of {node}\n");
            }
            // What the Slurm adapter puts before a gang's run section, with srun's one task per member node played by
            // two background processes: both members start together and the step ends when both have.
            const string GangLaunch = """
                broker_gang_run() {
                    local a b rc=0
                    SLURMD_NODENAME=node-a "$@" & a=$!
                    SLURMD_NODENAME=node-b "$@" & b=$!
                    wait "$a" || rc=$?
                    wait "$b" || rc=$?
                    return "$rc"
                }
                command() { if [ "${1-}" = -- ]; then shift; broker_gang_run "$@"; else builtin command "$@"; fi; }

                """;
            var section = GangLaunch + OnPremContainerRunSection.Render(JobId, AllocationId, Tag,
                ["sh", "-c", "cat /etc/broker-marker; echo \"member=$(cat /dev/nvidia0)\""], images.Layout,
                [Path.Combine(devices.FullName, "{node}", "nvidia[0-9]*")]);
            var tokens = CallbackTokens.FromConfiguredSecret("container-test-secret-0123456789abcdef0123");
            var expiry = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            var set = new CallbackTokenSet(tokens.Issue(AllocationId, InstanceEventKind.Started, CallbackPurpose.OnPremScript, expiry),
                tokens.Issue(AllocationId, InstanceEventKind.InterruptionNotice, CallbackPurpose.OnPremScript, expiry),
                tokens.Issue(AllocationId, InstanceEventKind.Finished, CallbackPurpose.OnPremScript, expiry));

            var (exitCode, output) = await sandbox.Run(
                OnPremBatchScript.Render(AllocationId, new Uri("http://broker.example.com/"), set, section), new Dictionary<string, string>());

            Assert.True(exitCode == 0, output);
            var lines = Stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Count(l => l == Marker));
            Assert.Equal(["member=gpu of node-a", "member=gpu of node-b"], lines.Where(l => l.StartsWith("member=", StringComparison.Ordinal)).Order());
            Assert.Empty(Directory.GetDirectories(sandbox.JobDirectory, "bundle*"));
        }
        finally
        {
            devices.Delete(recursive: true);
        }
    }

    [Fact]
    public void Device_patterns_default_to_nvidias_nodes_and_a_single_empty_entry_means_none()
    {
        Assert.Contains("/dev/nvidiactl", new OnPremImageStoreOptions().CheckedContainerDevices());
        Assert.Empty(new OnPremImageStoreOptions { ContainerDevices = [""] }.CheckedContainerDevices());
        Assert.Equal(["/srv/dev/{node}/gpu*"], new OnPremImageStoreOptions { ContainerDevices = ["/srv/dev/{node}/gpu*"] }.CheckedContainerDevices());
    }

    [Theory]
    [InlineData("dev/nvidia*")]
    [InlineData("/dev/nvidia'$(id)'")]
    [InlineData("/dev/\"nvidia\"")]
    [InlineData("/dev/nvidia0\nrm -rf /")]
    [InlineData("/dev/nvidia0\0")]
    public void A_device_pattern_the_scripts_cannot_use_is_refused(string pattern) =>
        Assert.Throws<InvalidOperationException>(() => new OnPremImageStoreOptions { ContainerDevices = [pattern] }.CheckedContainerDevices());

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
