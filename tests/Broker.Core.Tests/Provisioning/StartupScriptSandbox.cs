using System.Diagnostics;

namespace Broker.Core.Tests.Provisioning;

/// <summary>
/// Runs a rendered boot script under real bash with stand-ins for <c>docker</c> and <c>curl</c> first on PATH: docker
/// records its arguments, curl records posted events and their curl config (the Authorization header) and plays a cloud's
/// metadata service when asked to.
/// </summary>
internal sealed class StartupScriptSandbox : IDisposable
{
    private const string CurlStub = """
        #!/bin/bash
        url=""; data=""; prev=""
        for a in "$@"; do
            [ "$prev" = --data-binary ] && data="$a"
            case "$a" in http*) url="$a" ;; esac
            prev="$a"
        done
        case "$url" in
        */events)
            printf '%s\n' "$data" >> "$SANDBOX/events"
            cat >> "$SANDBOX/curl-config"
            printf '%s\0' "$@" >> "$SANDBOX/curl-args"
            ;;
        */latest/api/token) [ -n "${FAKE_AWS:-}" ] && echo imds-token || exit 22 ;;
        */spot/instance-action) [ -n "${FAKE_AWS_NOTICE:-}" ] && echo '{"action":"terminate"}' || exit 22 ;;
        *) exit 7 ;;
        esac
        """;

    // With WAIT_FOR_NOTICE the container "runs" until the interruption notice was posted (bounded, 30 s).
    private const string DockerStub = """
        #!/bin/bash
        printf '%s\0' "$@" > "$SANDBOX/docker-args"
        echo run >> "$SANDBOX/docker-runs"
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
    }

    public string Directory { get; }

    public IReadOnlyList<string> Events => ReadLines("events");

    public string CurlConfig => Read("curl-config");

    public string CurlArguments => Read("curl-args");

    public int DockerRuns => ReadLines("docker-runs").Count;

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
        var environment = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["PATH"] = $"{Path.Combine(Directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["SANDBOX"] = Directory,
            ["BROKER_STATE_DIR"] = Path.Combine(Directory, "state"),
            ["BROKER_POLL_SECONDS"] = "0.2",
        };
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
