using System.Text;

namespace Broker.Core.Tests.Provisioning;

/// <summary>
/// Real bash with stand-ins for <c>curl</c> and <c>docker</c>: curl plays Broker (events are acknowledged with 202, the
/// environment fetch answers with the next line of <c>env-statuses</c>, default 200, and the body in <c>env-body</c>), and
/// both record every argument they got. docker records, for each <c>--env NAME</c>, the value it found in its own environment.
/// </summary>
internal sealed class JobEnvironmentSandbox : IDisposable
{
    private const string CurlStub = """
        #!/bin/bash
        url=""; data=""; prev=""
        for a in "$@"; do
            [ "$prev" = --data-binary ] && data="$a"
            case "$a" in http*) url="$a" ;; esac
            prev="$a"
        done
        printf '%s\0' "$@" >> "$SANDBOX/curl-args"
        config=$(cat)
        case "$url" in
        */events)
            printf '%s\n' "$data" >> "$SANDBOX/events"
            printf '202'
            ;;
        */environment)
            printf '%s\n' "$config" >> "$SANDBOX/env-config"
            n=$(( $(cat "$SANDBOX/env-count" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$SANDBOX/env-count"
            status=$(sed -n "${n}p" "$SANDBOX/env-statuses" 2>/dev/null)
            status=${status:-200}
            [ "$status" = 000 ] && { printf '\n000'; exit 7; }
            [ "$status" = 200 ] && cat "$SANDBOX/env-body"
            printf '\n%s' "$status"
            ;;
        *) exit 7 ;;
        esac
        """;

    private const string DockerStub = """
        #!/bin/bash
        printf '%s\0' "$@" > "$SANDBOX/docker-args"
        prev=""
        for a in "$@"; do
            if [ "$prev" = --env ] && [[ $a != *=* ]]; then
                printf '%s=%s\0' "$a" "${!a-<unset>}" >> "$SANDBOX/docker-env"
            fi
            prev="$a"
        done
        exit 0
        """;

    public JobEnvironmentSandbox()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("broker-env-").FullName;
        var bin = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "bin")).FullName;
        Write(Path.Combine(bin, "curl"), CurlStub, executable: true);
        Write(Path.Combine(bin, "docker"), DockerStub, executable: true);
    }

    public string Directory { get; }

    /// <summary>What "Broker" answers the fetch: the variables, encoded as the endpoint does, one line each.</summary>
    public void Serve(IReadOnlyDictionary<string, string> variables) =>
        Write(Path.Combine(Directory, "env-body"), string.Concat(variables.Select(v => $"{v.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(v.Value))}\n")));

    public void ServeRaw(string body) => Write(Path.Combine(Directory, "env-body"), body);

    public void AnswerFetchWith(params string[] statuses) => Write(Path.Combine(Directory, "env-statuses"), string.Join('\n', statuses) + "\n");

    /// <summary>Accepted event bodies, each without its <c>"at"</c> (the event-time tests check those).</summary>
    public IReadOnlyList<string> Events => Read("events").Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(body => TimeField.Replace(body, "")).ToList();

    private static readonly System.Text.RegularExpressions.Regex TimeField = new(",\"at\":\"[^\"]*\"");

    public int Fetches => int.TryParse(Read("env-count").Trim(), out var n) ? n : 0;

    public string FetchConfig => Read("env-config");

    /// <summary>NAME=value for each name docker was given with --env NAME, as docker's own environment held it.</summary>
    public IReadOnlyList<string> DockerEnvironment => Read("docker-env").Split('\0')[..^1];

    public bool DockerRan => File.Exists(Path.Combine(Directory, "docker-args"));

    public string AllArguments => Read("curl-args") + Read("docker-args");

    public string Read(string name) => File.Exists(Path.Combine(Directory, name)) ? File.ReadAllText(Path.Combine(Directory, name)) : "";

    public Task<(int ExitCode, string Output)> Run(string script)
    {
        var path = Path.Combine(Directory, "script.sh");
        Write(path, script);
        return StartupScriptSandbox.Bash([path], new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(Directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["SANDBOX"] = Directory,
            ["BROKER_STATE_DIR"] = Path.Combine(Directory, "state"),
            ["BROKER_POLL_SECONDS"] = "0.2",
            ["BROKER_RETRY_DELAY"] = "0",
        });
    }

    private static void Write(string path, string text, bool executable = false)
    {
        File.WriteAllText(path, text);
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
