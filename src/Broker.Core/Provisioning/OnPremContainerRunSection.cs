using System.Text.Json;
using Broker.Core.Jobs;

namespace Broker.Core.Provisioning;

/// <summary>
/// The run section of an on-prem job when ops configured a site image store (<c>OnPrem:ImageStore</c>, an OCI image layout
/// directory; ADR 0014): the job's image is unpacked with <c>umoci unpack --rootless</c> into the job's own directory and
/// run with rootless <c>runc</c> as the team's user (the Slurm job already runs as that user). The bundle's config is
/// written here, not taken from umoci: container root maps to the user's own uid and gid (the only mapping rootless runc
/// may make), <c>process.args</c> is the job's command word for word (JSON-escaped here, so hostile words stay words),
/// <c>process.env</c> is PATH, the Broker ids, and the variables named in <c>$BROKER_ENV_NAMES</c> (values read from the
/// script's environment at run time, never from this text). The container shares the node's network (no network
/// namespace) and sees nothing of the node's files but its own root, <c>/etc/resolv.conf</c> and the device paths matching
/// <c>OnPrem:ContainerDevices</c>, bound at <c>/dev/&lt;name&gt;</c>; its env also gets Slurm's GPU selection
/// (<c>CUDA_VISIBLE_DEVICES</c>, <c>SLURM_JOB_GPUS</c>, <c>GPU_DEVICE_ORDINAL</c>, <c>SLURM_GPUS_ON_NODE</c>) when set. When it cannot start
/// (tools missing, store unreadable, image not in the store, unpack failed) the section exits 125 and leaves the reason in
/// <c>$BROKER_REASON_FILE</c>, which the batch script sends with <c>finished</c>.
/// </summary>
public static class OnPremContainerRunSection
{
    public const int SetupFailedExitCode = 125;

    /// <summary>Slurm's GPU selection, passed into the container when the batch script has it.</summary>
    private static readonly string[] GpuVariables = ["CUDA_VISIBLE_DEVICES", "SLURM_JOB_GPUS", "GPU_DEVICE_ORDINAL", "SLURM_GPUS_ON_NODE"];

    private const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// The tag an image has in the site store: its reference as the job wrote it, with <c>:latest</c> added when it names
    /// neither a tag nor a digest (<c>busybox</c> → <c>busybox:latest</c>, <c>ghcr.io/acme/train:1.4</c> unchanged).
    /// </summary>
    public static string StoreRefName(string image) =>
        ImageReference.TryParse(image, out var reference, out _) && reference.Tag is null && reference.Digest is null
            ? image + ":latest"
            : image;

    /// <param name="imageStore">The store's absolute path on the nodes (checked by <see cref="OnPremImageStoreOptions"/>).</param>
    /// <param name="devices">Glob patterns of the node's device paths to bind into the container at <c>/dev/&lt;name&gt;</c>,
    /// <c>{node}</c> standing for <c>$SLURMD_NODENAME</c> (checked by <see cref="OnPremImageStoreOptions.CheckedContainerDevices"/>).</param>
    public static string Render(Guid jobId, Guid allocationId, string image, IReadOnlyList<string> command, string imageStore,
        IReadOnlyList<string> devices)
    {
        if (devices.Any(pattern => pattern.Contains('\0', StringComparison.Ordinal) || pattern.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException("a device pattern cannot hold a NUL or newline character", nameof(devices));
        }
        ArgumentException.ThrowIfNullOrEmpty(image);
        if (command.Count == 0)
        {
            throw new ArgumentException("a container job needs a command to run in its image", nameof(command));
        }
        if (command.Any(word => word.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("a command word cannot hold a NUL character", nameof(command));
        }
        var refName = StoreRefName(image);
        var shown = refName == image ? $"'{image}'" : $"'{image}' (tag {refName})";
        string Fail(string message) =>
            $"broker_container_failed {StartupScript.ShellQuote(message)} {StartupScript.ShellQuote(JsonSerializer.Serialize(message))}";
        var environment = JsonSerializer.Serialize(DefaultPath) + "," + JsonSerializer.Serialize($"BROKER_JOB_ID={jobId:D}")
            + "," + JsonSerializer.Serialize($"BROKER_ALLOCATION_ID={allocationId:D}");
        var (head, middle, afterMounts, tail) = ConfigParts(command, $"broker-{allocationId:N}"[..15]);
        return $$"""
            # The job's image from the site image store, under rootless runc as this user (ADR 0014).
            BROKER_IMAGE_STORE={{StartupScript.ShellQuote(imageStore)}}
            BROKER_IMAGE_REF={{StartupScript.ShellQuote(refName)}}
            BROKER_CONTAINER={{StartupScript.ShellQuote($"broker-{allocationId:D}")}}
            BROKER_CONTAINER_DEVICES=({{string.Join(' ', devices.Select(StartupScript.ShellQuote))}})

            broker_container_failed() {
                echo "broker: $1" >&2
                if [ -n "${BROKER_REASON_FILE:-}" ]; then
                    printf '%s' "$2" >"$BROKER_REASON_FILE"
                fi
                return {{SetupFailedExitCode}}
            }

            broker_container_env() {
                local name names
                printf '%s' {{StartupScript.ShellQuote(environment)}}
                # The GPUs Slurm gave this job, as it told the batch script.
                for name in {{string.Join(' ', GpuVariables)}}; do
                    if [ -n "${!name+set}" ]; then
                        printf ','
                        broker_json_string "$name=${!name}"
                    fi
                done
                read -r -a names <<<"${BROKER_ENV_NAMES:-}"
                for name in "${names[@]}"; do
                    if [[ " {{string.Join(' ', GpuVariables)}} " == *" $name "* ]]; then
                        continue
                    fi
                    if [[ ! $name =~ ^[A-Za-z_][A-Za-z0-9_]{0,127}$ || $name == BROKER_* ]] || [ -z "${!name+set}" ]; then
                        echo "broker: BROKER_ENV_NAMES names a variable the job may not see or that is not set; left out" >&2
                        continue
                    fi
                    printf ','
                    broker_json_string "$name=${!name}"
                done
            }

            # A bind mount at /dev/<name> for each existing path the patterns match, {node} being this node's name; the
            # job's cgroup, not the container, decides which of them it may open (ConstrainDevices).
            broker_container_devices() (
                local pattern path name
                local -A seen=([pts]=1 [shm]=1 [mqueue]=1)
                shopt -s nullglob
                IFS=
                for pattern in "${BROKER_CONTAINER_DEVICES[@]}"; do
                    if [[ $pattern == *'{node}'* ]]; then
                        if [[ ! ${SLURMD_NODENAME:-} =~ ^[A-Za-z0-9._-]+$ ]]; then
                            continue
                        fi
                        pattern=${pattern//'{node}'/$SLURMD_NODENAME}
                    fi
                    for path in $pattern; do
                        name=${path##*/}
                        if [ -z "$name" ] || [ -d "$path" ] || [ ! -e "$path" ] || [ -n "${seen[$name]:-}" ]; then
                            continue
                        fi
                        seen[$name]=1
                        printf '%s' ',{"destination":'
                        broker_json_string "/dev/$name"
                        printf '%s' ',"type":"bind","source":'
                        broker_json_string "$path"
                        printf '%s' ',"options":["bind","rw","nosuid"]}'
                    done
                done
            )

            broker_container_config() {
                printf '%s' {{StartupScript.ShellQuote(head)}}
                broker_container_env
                printf '%s' {{StartupScript.ShellQuote(middle)}}
                broker_container_devices
                printf '%s' {{StartupScript.ShellQuote(afterMounts)}}
                printf '%s' "$(id -u)"
                printf '%s' ',"size":1}],"gidMappings":[{"containerID":0,"hostID":'
                printf '%s' "$(id -g)"
                printf '%s' {{StartupScript.ShellQuote(tail)}}
            }

            broker_run_container() {
                local dir="${BROKER_OUTPUT_DIR:-$PWD}" bundle rc member=""
                # A gang member works in paths of its own: the members may share the job directory.
                if [ -n "${BROKER_GANG_MEMBER:-}" ] && [[ ${SLURMD_NODENAME:-} =~ ^[A-Za-z0-9._-]+$ ]]; then
                    member="-$SLURMD_NODENAME"
                fi
                bundle="$dir/bundle$member"
                if ! command -v umoci >/dev/null; then
                    {{Fail("umoci is not installed on this node")}}
                    return
                fi
                if ! command -v runc >/dev/null; then
                    {{Fail("runc is not installed on this node")}}
                    return
                fi
                if [ ! -r "$BROKER_IMAGE_STORE/index.json" ]; then
                    {{Fail("the site image store cannot be read on this node")}}
                    return
                fi
                if ! umoci ls --layout "$BROKER_IMAGE_STORE" 2>"$dir/umoci$member.log" | grep -qxF -- "$BROKER_IMAGE_REF"; then
                    {{Fail($"image {shown} is not in the site image store")}}
                    return
                fi
                chmod -R u+rwX -- "$bundle" 2>/dev/null
                rm -rf -- "$bundle"
                if ! umoci unpack --rootless --image "$BROKER_IMAGE_STORE:$BROKER_IMAGE_REF" "$bundle" >"$dir/umoci$member.log" 2>&1; then
                    cat -- "$dir/umoci$member.log" >&2
                    {{Fail($"image {shown} could not be unpacked from the site image store")}}
                    return
                fi
                broker_container_config >"$bundle/config.json"
                runc --root "$dir/runc$member" --log "$dir/runc$member.log" run --bundle "$bundle" "$BROKER_CONTAINER" </dev/null
                rc=$?
                if [ "$rc" -ne 0 ] && grep -q 'level=error' "$dir/runc$member.log" 2>/dev/null; then
                    grep 'level=error' "$dir/runc$member.log" >&2
                fi
                runc --root "$dir/runc$member" delete --force "$BROKER_CONTAINER" >/dev/null 2>&1
                chmod -R u+rwX -- "$bundle" 2>/dev/null
                rm -rf -- "$bundle"
                return "$rc"
            }

            # In a gang's script (the Slurm adapter defines broker_gang_run, ADR 0012) every member node unpacks and runs
            # its own container, together, as one job step: the functions above go into a script that step runs.
            if declare -F broker_gang_run >/dev/null; then
                {
                    declare -p BROKER_IMAGE_STORE BROKER_IMAGE_REF BROKER_CONTAINER BROKER_CONTAINER_DEVICES
                    if [ -n "${BROKER_REASON_FILE:-}" ]; then declare -p BROKER_REASON_FILE; fi
                    declare -f broker_json_string broker_container_failed broker_container_env broker_container_devices \
                        broker_container_config broker_run_container
                    echo 'BROKER_GANG_MEMBER=1 broker_run_container'
                } >"${BROKER_OUTPUT_DIR:-$PWD}/container-run.sh"
                command -- bash "${BROKER_OUTPUT_DIR:-$PWD}/container-run.sh"
            else
                broker_run_container
            fi

            """;
    }

    /// <summary>
    /// The bundle config around the values only the node knows: the env list, the device mounts, the user's uid and gid. Modelled on
    /// <c>runc spec --rootless</c> and umoci's rootless config; no terminal, no network namespace.
    /// </summary>
    private static (string Head, string Middle, string AfterMounts, string Tail) ConfigParts(IReadOnlyList<string> command, string hostname)
    {
        var args = JsonSerializer.Serialize(command);
        var caps = """["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]""";
        var head = "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":" + args
            + ",\"env\":[";
        var middle = "],\"cwd\":\"/\",\"capabilities\":{\"bounding\":" + caps + ",\"effective\":" + caps + ",\"inheritable\":" + caps
            + ",\"permitted\":" + caps + ",\"ambient\":" + caps + "},"
            + "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],\"noNewPrivileges\":true},"
            + "\"root\":{\"path\":\"rootfs\",\"readonly\":false},\"hostname\":" + JsonSerializer.Serialize(hostname) + ","
            + "\"mounts\":["
            + "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
            + "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
            + "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"
            + "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
            + "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
            + "{\"destination\":\"/sys\",\"type\":\"bind\",\"source\":\"/sys\",\"options\":[\"rbind\",\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
            + "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/etc/resolv.conf\",\"options\":[\"rbind\",\"ro\"]}";
        var afterMounts = "],\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":";
        var tail = ",\"size\":1}],\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"user\"}],"
            + "\"maskedPaths\":[\"/proc/kcore\",\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
            + "\"readonlyPaths\":[\"/proc/asound\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]}}";
        return (head, middle, afterMounts, tail);
    }
}
