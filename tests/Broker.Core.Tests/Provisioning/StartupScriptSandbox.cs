using System.Diagnostics;

namespace Broker.Core.Tests.Provisioning;

/// <summary>
/// Runs a rendered boot script under real bash with stand-ins for <c>docker</c> and <c>curl</c> first on PATH: docker
/// records its arguments (and prints <c>DOCKER_STDOUT</c>/<c>DOCKER_STDERR</c>), curl records posted events, log chunks
/// and their curl config (the Authorization header) and plays a cloud's metadata service when asked to.
/// </summary>
internal sealed class StartupScriptSandbox : IDisposable
{
    // Answers each events post with the next line of $SANDBOX/statuses (default 202; 000 plays a connection error).
    // "posts" holds every attempt (body, tab, its curl config); "events" only the acknowledged ones (200, 202, 409).
    private const string CurlStub = """
        #!/bin/bash
        url=""; data=""; prev=""; writeout=""
        for a in "$@"; do
            [ "$prev" = --data-binary ] && data="$a"
            [ "$prev" = --write-out ] && writeout="$a"
            case "$a" in http*) url="$a" ;; esac
            prev="$a"
        done
        case "$url" in
        */events)
            exec 9>>"$SANDBOX/curl.lock"
            flock 9
            n=$(( $(cat "$SANDBOX/post-count" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$SANDBOX/post-count"
            status=$(sed -n "${n}p" "$SANDBOX/statuses" 2>/dev/null)
            status=${status:-202}
            config=$(cat)
            printf '%s\n' "$config" >> "$SANDBOX/curl-config"
            printf '%s\t%s\n' "$data" "$config" >> "$SANDBOX/posts"
            printf '%s\0' "$@" >> "$SANDBOX/curl-args"
            case "$status" in 200 | 202 | 409) printf '%s\n' "$data" >> "$SANDBOX/events"; echo event >> "$SANDBOX/calls" ;; esac
            flock -u 9
            [ -n "$writeout" ] && printf '%s' "$status"
            [ "$status" = 000 ] && exit 7
            exit 0
            ;;
        */logs)
            exec 9>>"$SANDBOX/curl.lock"
            flock 9
            n=$(( $(cat "$SANDBOX/log-post-count" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$SANDBOX/log-post-count"
            status=$(sed -n "${n}p" "$SANDBOX/log-statuses" 2>/dev/null)
            status=${status:-202}
            case "$data" in @*) body=$(cat -- "${data#@}") ;; *) body=$data ;; esac
            printf '%s\t%s\n' "$body" "$(cat)" >> "$SANDBOX/log-posts"
            printf '%s\0' "$@" >> "$SANDBOX/log-curl-args"
            case "$status" in 200 | 202) printf '%s\n' "$body" >> "$SANDBOX/logs"; echo log >> "$SANDBOX/calls" ;; esac
            flock -u 9
            [ -n "$writeout" ] && printf '%s' "$status"
            [ "$status" = 000 ] && exit 7
            exit 0
            ;;
        */latest/api/token) [ -n "${FAKE_AWS:-}" ] && echo imds-token || exit 22 ;;
        */spot/instance-action) [ -n "${FAKE_AWS_NOTICE:-}" ] && echo '{"action":"terminate"}' || exit 22 ;;
        *) exit 7 ;;
        esac
        """;

    // Records the arguments of every cat the script runs (a token must never be one), then is the real cat.
    private const string CatStub = """
        #!/bin/bash
        printf '%s\0' "$@" >> "$SANDBOX/cat-args"
        exec /bin/cat "$@"
        """;

    // With WAIT_FOR_NOTICE the container "runs" until the interruption notice was posted (bounded, 30 s).
    private const string DockerStub = """
        #!/bin/bash
        printf '%s\0' "$@" > "$SANDBOX/docker-args"
        echo run >> "$SANDBOX/docker-runs"
        [ -n "${DOCKER_STDOUT:-}" ] && printf '%s' "$DOCKER_STDOUT"
        [ -n "${DOCKER_STDERR:-}" ] && printf '%s' "$DOCKER_STDERR" >&2
        if [ -n "${WAIT_FOR_NOTICE:-}" ]; then
            for _ in $(seq 1 300); do
                grep -q interruption-notice "$SANDBOX/events" 2>/dev/null && break
                sleep 0.1
            done
        fi
        exit "${DOCKER_EXIT:-0}"
        """;

    public StartupScriptSandbox()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("broker-boot-").FullName;
        var bin = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "bin")).FullName;
        WriteExecutable(Path.Combine(bin, "curl"), CurlStub);
        WriteExecutable(Path.Combine(bin, "docker"), DockerStub);
        WriteExecutable(Path.Combine(bin, "cat"), CatStub);
        System.IO.Directory.CreateDirectory(JobDirectory);
    }

    public string Directory { get; }

    /// <summary>Accepted event bodies, each without its <c>"at"</c> (that is in <see cref="EventTimes"/>).</summary>
    public IReadOnlyList<string> Events => ReadLines("events").Select(WithoutTime).ToList();

    /// <summary>The <c>"at"</c> of each accepted event, raw, in order (empty where a body had none).</summary>
    public IReadOnlyList<string> EventTimes => ReadLines("events").Select(TimeOf).ToList();

    /// <summary>The <c>"at"</c> of each post attempt, raw, in order.</summary>
    public IReadOnlyList<string> PostTimes => ReadLines("posts").Select(line => TimeOf(line.Split('\t', 2)[0])).ToList();

    private static readonly System.Text.RegularExpressions.Regex TimeField = new(",\"at\":\"([^\"]*)\"");

    private static string WithoutTime(string body) => TimeField.Replace(body, "");

    private static string TimeOf(string body) => TimeField.Match(body) is { Success: true } m ? m.Groups[1].Value : "";

    public string CurlConfig => Read("curl-config");

    public string CurlArguments => Read("curl-args");

    /// <summary>Every post attempt: its body and the curl config line it carried.</summary>
    public IReadOnlyList<(string Body, string Config)> Posts =>
        ReadLines("posts").Select(line => line.Split('\t', 2)).Select(p => (WithoutTime(p[0]), p.Length > 1 ? p[1] : "")).ToList();

    /// <summary>Everything any stubbed command (curl, docker, cat) got as arguments.</summary>
    public string AllArguments => Read("curl-args") + Read("docker-args") + Read("cat-args");

    /// <summary>What the stubbed Broker answers each events post, in order (then 202).</summary>
    public void AnswerWith(params string[] statuses) =>
        File.WriteAllText(Path.Combine(Directory, "statuses"), string.Join('\n', statuses) + "\n");

    public int DockerRuns => ReadLines("docker-runs").Count;

    /// <summary>Where the on-prem script keeps the job's files (<c>BROKER_OUTPUT_DIR</c>).</summary>
    public string JobDirectory => Path.Combine(Directory, "job");

    /// <summary>Every log chunk post attempt: its JSON body and the curl config it carried.</summary>
    public IReadOnlyList<(string Body, string Config)> LogPosts =>
        ReadLines("log-posts").Select(line => line.Split('\t', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();

    /// <summary>The log chunk bodies Broker acknowledged (200 or 202), in order.</summary>
    public IReadOnlyList<string> ShippedLogs => ReadLines("logs");

    /// <summary>Acknowledged posts in order: <c>log</c> for a chunk, <c>event</c> for an event.</summary>
    public IReadOnlyList<string> Calls => ReadLines("calls");

    public string LogCurlArguments => Read("log-curl-args");

    /// <summary>What the stubbed Broker answers each log post, in order (then 202).</summary>
    public void AnswerLogsWith(params string[] statuses) =>
        File.WriteAllText(Path.Combine(Directory, "log-statuses"), string.Join('\n', statuses) + "\n");

    public IReadOnlyList<string> DockerArguments => Read("docker-args").Split('\0')[..^1];

    public static async Task<(int ExitCode, string Output)> Bash(IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(standardInput ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(hangGuard.Token);
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>Runs the script as cloud-init would, with the sandbox's stand-ins and state directory.</summary>
    public async Task<(int ExitCode, string Output)> Run(string script, IReadOnlyDictionary<string, string>? extra = null)
    {
        var path = Path.Combine(Directory, "boot.sh");
        await File.WriteAllTextAsync(path, script);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(Directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["SANDBOX"] = Directory,
            ["BROKER_STATE_DIR"] = Path.Combine(Directory, "state"),
            ["BROKER_POLL_SECONDS"] = "0.2",
            ["BROKER_RETRY_DELAY"] = "0",
            ["BROKER_OUTPUT_DIR"] = JobDirectory,
            ["BROKER_LOG_INTERVAL"] = "1",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return await Bash([path], environment);
    }

    private string Read(string name) => File.Exists(Path.Combine(Directory, name)) ? File.ReadAllText(Path.Combine(Directory, name)) : "";

    private List<string> ReadLines(string name) => Read(name).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
