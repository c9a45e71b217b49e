using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Broker.Core.Provisioning;

/// <summary>What the boot script of one cloud instance runs and whom it reports to.</summary>
/// <param name="Command">Arguments after the image, passed to the container as they are (each one shell-quoted).</param>
/// <param name="CallbackTokens">The instance's three per-kind tokens (<see cref="Provisioning.CallbackTokens.ForCloudInstance"/>);
/// each is written only into the curl configuration that carries the Authorization header, never onto a command line, into
/// the container or into logs.</param>
/// <param name="CheckpointDir">Path inside the container where the job keeps checkpoints; mounted from the host when set.</param>
/// <param name="FetchJobEnvironment">The job has variables: the script fetches them before the container starts
/// (<see cref="JobEnvironmentScript"/>) and passes each by name (<c>--env NAME</c>, the value from the script's environment).</param>
/// <param name="GangMember">A cloud gang member's position: its interruption notice names it (<c>"member"</c>), so Broker
/// knows which member the provider reclaimed. Null for a single instance.</param>
public sealed record StartupScriptSpec(
    Guid JobId,
    Guid AllocationId,
    string Image,
    IReadOnlyList<string> Command,
    int GpuCount,
    IReadOnlyDictionary<string, string> Environment,
    Uri CallbackBaseUrl,
    CallbackTokenSet CallbackTokens,
    string? CheckpointDir = null,
    bool FetchJobEnvironment = false,
    int? GangMember = null);

/// <summary>
/// Renders the one bash boot script shared by AWS, Azure and GCP. The script posts <c>started</c>, runs the job's container,
/// posts <c>finished</c> with its exit code, and meanwhile polls the cloud's interruption notice (AWS IMDSv2
/// <c>spot/instance-action</c>, GCP <c>instance/preempted</c>, Azure scheduled events <c>Preempt</c>) and posts
/// <c>interruption-notice</c>. A marker file keeps a reboot (GCP reruns startup scripts) from running the job twice.
/// <para>
/// The callback contract: events go to <c>POST {callback}/v1/instances/{allocationId}/events</c> with
/// <c>Authorization: Bearer {token of that kind}</c> and the JSON body <c>{"kind":"started","seq":1}</c>,
/// <c>{"kind":"interruption-notice","seq":2}</c> (a gang member's adds <c>"member":M</c>, its position) or <c>{"kind":"finished","seq":3,"exitCode":N}</c>. The seqs are fixed
/// per kind (<see cref="InstanceEvent.SeqOf"/>), so a retried post is an exact duplicate (answered 200) and a finished
/// after an interruption notice is still in order. A post counts as acknowledged on 200, 202 or 409 (refused for good:
/// a replay, out of order, or not allowed in the allocation's state); 5xx, 429 and connection errors are retried with
/// exponential backoff (2 s doubling to 60 s, 30 attempts, about 25 minutes); any other answer (400, 401, 404) cannot
/// change on retry and is logged. The tokens travel in curl's config on stdin, never on a command line. The container's
/// stdout and stderr are shipped to Broker as the job's logs while it runs, and flushed before <c>finished</c>; the retry
/// loop and the shipper are the on-prem batch script's too (<see cref="CallbackShell"/>).
/// </para>
/// </summary>
public static partial class StartupScript
{
    public static string EventsUrl(Uri callbackBaseUrl, Guid allocationId) =>
        $"{callbackBaseUrl.AbsoluteUri.TrimEnd('/')}/v1/instances/{allocationId:D}/events";

    /// <summary>Quotes a value as one bash word: single quotes, each embedded quote written as <c>'\''</c>.</summary>
    public static string ShellQuote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("bash cannot pass a NUL character in an argument", nameof(value));
        }
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    public static string Render(StartupScriptSpec spec)
    {
        Validate(spec);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["JOB"] = spec.JobId.ToString("D"),
            ["ALLOCATION"] = spec.AllocationId.ToString("D"),
            ["EVENTS_URL"] = ShellQuote(EventsUrl(spec.CallbackBaseUrl, spec.AllocationId)),
            ["LOGS_URL"] = ShellQuote(CallbackShell.LogsUrl(spec.CallbackBaseUrl, spec.AllocationId)),
            ["CURL_CONFIG"] = CallbackShell.CurlConfigFunction([("started", spec.CallbackTokens.Started),
                ("interruption-notice", spec.CallbackTokens.InterruptionNotice), ("finished", spec.CallbackTokens.Finished)]),
            ["FUNCTIONS"] = CallbackShell.Functions,
            ["SEQ_STARTED"] = Seq(InstanceEventKind.Started),
            ["SEQ_INTERRUPTION"] = Seq(InstanceEventKind.InterruptionNotice),
            ["MEMBER"] = spec.GangMember is { } member ? string.Create(CultureInfo.InvariantCulture, $",\"member\":{member}") : "",
            ["SEQ_FINISHED"] = Seq(InstanceEventKind.Finished),
            ["DOCKER_RUN"] = DockerRun(spec),
            ["JOB_ENV"] = spec.FetchJobEnvironment ? JobEnvironment(spec) : "",
        };
        // One pass over the template only: text inserted from the job's own values is never scanned for placeholders.
        return Placeholder().Replace(Template, m => values[m.Groups[1].Value]);
    }

    private static string Seq(InstanceEventKind kind) => InstanceEvent.SeqOf(kind).ToString(CultureInfo.InvariantCulture);

    private static string JobEnvironment(StartupScriptSpec spec) =>
        "\n" + JobEnvironmentScript.Fragment(spec.CallbackBaseUrl, spec.AllocationId)
        + "broker_env_flags() {\n    local name\n    for name in ${BROKER_ENV_NAMES:-}; do printf -- '--env %s ' \"$name\"; done\n}\n";

    private static string DockerRun(StartupScriptSpec spec)
    {
        var line = new StringBuilder(spec.FetchJobEnvironment ? "broker_env_fetch && " : "").Append("docker run --rm --name ").Append(ShellQuote($"broker-{spec.AllocationId:D}"));
        if (spec.GpuCount > 0)
        {
            line.Append(" --gpus all");
        }
        var environment = new List<KeyValuePair<string, string>>
        {
            new("BROKER_JOB_ID", spec.JobId.ToString("D")),
            new("BROKER_ALLOCATION_ID", spec.AllocationId.ToString("D")),
            new("BROKER_GPU_COUNT", spec.GpuCount.ToString(CultureInfo.InvariantCulture)),
        };
        if (spec.CheckpointDir is { } checkpoints)
        {
            line.Append(" \\\n    --volume \"$BROKER_STATE_DIR/checkpoints\":").Append(ShellQuote(checkpoints));
            environment.Add(new("BROKER_CHECKPOINT_DIR", checkpoints));
        }
        foreach (var (name, value) in environment.Concat(spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal)))
        {
            line.Append(" \\\n    --env ").Append(ShellQuote($"{name}={value}"));
        }
        if (spec.FetchJobEnvironment)
        {
            // Names only (validated, so word splitting is safe): docker reads each value from its own environment.
            line.Append(" \\\n    $(broker_env_flags)");
        }
        line.Append(" \\\n    ").Append(ShellQuote(spec.Image));
        foreach (var argument in spec.Command)
        {
            line.Append(" \\\n    ").Append(ShellQuote(argument));
        }
        return line.ToString();
    }

    private static void Validate(StartupScriptSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Image) || spec.Image.StartsWith('-'))
        {
            throw new ArgumentException("the image must be a name, not empty and not an option", nameof(spec));
        }
        if (spec.Environment.Keys.FirstOrDefault(name => !EnvironmentName().IsMatch(name)) is { } badName)
        {
            throw new ArgumentException($"'{badName}' is not a valid environment variable name", nameof(spec));
        }
        if (!new[] { spec.CallbackTokens.Started, spec.CallbackTokens.InterruptionNotice, spec.CallbackTokens.Finished }
            .All(token => token is not null && TokenCharacters().IsMatch(token)))
        {
            throw new ArgumentException("each callback token must be non-empty base64 or URL-safe text", nameof(spec));
        }
        if (!spec.CallbackBaseUrl.IsAbsoluteUri || spec.CallbackBaseUrl.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException("the callback base URL must be an absolute http(s) URL", nameof(spec));
        }
        if (spec.GangMember is < 0)
        {
            throw new ArgumentException("a gang member's position is 0 or more", nameof(spec));
        }
        if (spec.CheckpointDir is { } dir && (!dir.StartsWith('/') || dir.Contains(':', StringComparison.Ordinal)))
        {
            throw new ArgumentException("the checkpoint directory must be an absolute path without ':'", nameof(spec));
        }
    }

    [GeneratedRegex("@(JOB|ALLOCATION|EVENTS_URL|LOGS_URL|CURL_CONFIG|FUNCTIONS|SEQ_STARTED|SEQ_INTERRUPTION|MEMBER|SEQ_FINISHED|DOCKER_RUN|JOB_ENV)@")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    // Safe inside the double-quoted curl config value and the quoted heredoc that carries it.
    [GeneratedRegex("^[A-Za-z0-9._~+/=-]+$")]
    private static partial Regex TokenCharacters();

    private const string Template = """
        #!/bin/bash
        # Broker boot script: job @JOB@, allocation @ALLOCATION@.
        set -u
        BROKER_EVENTS_URL=@EVENTS_URL@
        BROKER_LOGS_URL=@LOGS_URL@
        BROKER_STATE_DIR="${BROKER_STATE_DIR:-/var/lib/broker}"
        BROKER_POLL_SECONDS="${BROKER_POLL_SECONDS:-5}"
        BROKER_DONE="$BROKER_STATE_DIR/@ALLOCATION@.done"

        # Some clouds run startup scripts at every boot: the job runs once.
        if [ -e "$BROKER_DONE" ]; then
            exit 0
        fi
        mkdir -p "$BROKER_STATE_DIR/checkpoints"
        BROKER_LOG_DIR="$BROKER_STATE_DIR/logs-@ALLOCATION@"
        mkdir -p -m 700 "$BROKER_LOG_DIR"

        @CURL_CONFIG@
        @FUNCTIONS@
        broker_cloud() {
            if curl -sf --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
                'http://169.254.169.254/latest/api/token' >/dev/null; then
                echo aws
            elif curl -sf --max-time 2 -H 'Metadata-Flavor: Google' \
                'http://metadata.google.internal/computeMetadata/v1/instance/id' >/dev/null; then
                echo gcp
            elif curl -sf --max-time 2 -H 'Metadata: true' \
                'http://169.254.169.254/metadata/instance?api-version=2021-02-01' >/dev/null; then
                echo azure
            else
                echo unknown
            fi
        }

        broker_interrupted() {
            local imds_token
            case "$1" in
            aws)
                imds_token=$(curl -sf --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \
                    'http://169.254.169.254/latest/api/token') || return 1
                curl -sf --max-time 2 -H "X-aws-ec2-metadata-token: $imds_token" \
                    'http://169.254.169.254/latest/meta-data/spot/instance-action' >/dev/null
                ;;
            gcp)
                [ "$(curl -sf --max-time 2 -H 'Metadata-Flavor: Google' \
                    'http://metadata.google.internal/computeMetadata/v1/instance/preempted')" = TRUE ]
                ;;
            azure)
                curl -sf --max-time 2 -H 'Metadata: true' \
                    'http://169.254.169.254/metadata/scheduledevents?api-version=2020-07-01' |
                    grep -q '"EventType" *: *"Preempt"'
                ;;
            *)
                return 1
                ;;
            esac
        }

        broker_watch_interruption() {
            local cloud
            cloud=$(broker_cloud)
            if [ "$cloud" = unknown ]; then
                return 0
            fi
            while true; do
                if broker_interrupted "$cloud"; then
                    broker_post interruption-notice '{"kind":"interruption-notice","seq":@SEQ_INTERRUPTION@@MEMBER@}'
                    return 0
                fi
                sleep "$BROKER_POLL_SECONDS"
            done
        }

        broker_post started "{\"kind\":\"started\",\"seq\":@SEQ_STARTED@,\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\"}"
        broker_watch_interruption >>"$BROKER_STATE_DIR/watcher.log" 2>&1 &
        BROKER_WATCHER=$!

        broker_start_logs
        @JOB_ENV@
        @DOCKER_RUN@ \
            >"$BROKER_LOG_DIR/stdout.log" 2>"$BROKER_LOG_DIR/stderr.log"
        BROKER_EXIT=$?
        BROKER_ENDED_AT=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)

        kill "$BROKER_WATCHER" 2>/dev/null
        broker_stop_logs
        broker_post finished "{\"kind\":\"finished\",\"seq\":@SEQ_FINISHED@,\"exitCode\":$BROKER_EXIT,\"at\":\"$BROKER_ENDED_AT\"}"
        touch "$BROKER_DONE"
        exit "$BROKER_EXIT"

        """;
}
