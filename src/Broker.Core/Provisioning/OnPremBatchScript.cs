using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Provisioning;

/// <summary>
/// Renders the Slurm batch script of an on-prem allocation: a reporting prologue that posts <c>started</c> in the background
/// (so the job does not wait for Broker), the given run section, and an epilogue that waits for <c>started</c> to be
/// acknowledged (so the seqs arrive in order) and then posts <c>finished</c> with the run section's exit code, retrying until
/// acknowledged. Meanwhile the run section's stdout and stderr are shipped to Broker as the job's logs. The callback contract,
/// retry loop, log shipper and seqs are the cloud boot script's (<see cref="CallbackShell"/>, ADR 0006, ADR 0014); the
/// tokens are the on-prem script ones (<see cref="CallbackTokens.ForOnPremScript"/>) and travel in curl's config on stdin,
/// never on a command line.
/// </summary>
public static partial class OnPremBatchScript
{
    /// <param name="runSection">Bash lines that run the job, in a subshell whose stdout and stderr are the job's (shipped to
    /// Broker as its logs); its last command's status is the job's exit code. It may write a JSON string to
    /// <c>$BROKER_REASON_FILE</c>: why it failed, sent as the finished event's <c>reason</c>. It is inserted as it is, so
    /// the caller quotes every value in it.</param>
    /// <param name="fetchJobEnvironment">The job has variables: <see cref="JobEnvironmentScript"/> fetches and exports them
    /// (and sets <c>BROKER_ENV_NAMES</c>) just before the run section; if it cannot, the job does not run, and says why.</param>
    public static string Render(Guid allocationId, Uri callbackBaseUrl, CallbackTokenSet tokens, string runSection, bool fetchJobEnvironment = false)
    {
        ArgumentNullException.ThrowIfNull(runSection);
        if (!callbackBaseUrl.IsAbsoluteUri || callbackBaseUrl.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException("the callback base URL must be an absolute http(s) URL", nameof(callbackBaseUrl));
        }
        if (!new[] { tokens.Started, tokens.Finished }.All(token => token is not null && TokenCharacters().IsMatch(token)))
        {
            throw new ArgumentException("each callback token must be non-empty base64 or URL-safe text", nameof(tokens));
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ALLOCATION"] = allocationId.ToString("D"),
            ["EVENTS_URL"] = StartupScript.ShellQuote(StartupScript.EventsUrl(callbackBaseUrl, allocationId)),
            ["LOGS_URL"] = StartupScript.ShellQuote(CallbackShell.LogsUrl(callbackBaseUrl, allocationId)),
            ["CURL_CONFIG"] = CallbackShell.CurlConfigFunction([("started", tokens.Started), ("finished", tokens.Finished)]),
            ["FUNCTIONS"] = CallbackShell.Functions,
            ["SEQ_STARTED"] = InstanceEvent.SeqOf(InstanceEventKind.Started).ToString(CultureInfo.InvariantCulture),
            ["SEQ_FINISHED"] = InstanceEvent.SeqOf(InstanceEventKind.Finished).ToString(CultureInfo.InvariantCulture),
        };
        var prologue = Placeholder().Replace(Prologue, m => values[m.Groups[1].Value]);
        var epilogue = Placeholder().Replace(Epilogue, m => values[m.Groups[1].Value]);
        var environment = fetchJobEnvironment
            ? JobEnvironmentScript.Fragment(callbackBaseUrl, allocationId)
                + "broker_env_fetch || { printf '%s' '\"the job variables (env, secretEnv) could not be fetched from Broker\"' >\"$BROKER_REASON_FILE\"; "
                + $"exit {JobEnvironmentScript.FailureExitCode}; }}\n"
            : "";
        // The run section is appended, never scanned for placeholders.
        return prologue + environment + runSection.TrimEnd('\n') + "\n" + epilogue;
    }

    [GeneratedRegex("@(ALLOCATION|EVENTS_URL|LOGS_URL|CURL_CONFIG|FUNCTIONS|SEQ_STARTED|SEQ_FINISHED)@")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z0-9._~+/=-]+$")]
    private static partial Regex TokenCharacters();

    private const string Prologue = """
        #!/bin/bash
        # Broker on-prem batch script: allocation @ALLOCATION@.
        BROKER_EVENTS_URL=@EVENTS_URL@
        BROKER_LOGS_URL=@LOGS_URL@
        BROKER_LOG_DIR="${BROKER_OUTPUT_DIR:-$PWD}"
        BROKER_REASON_FILE="$BROKER_LOG_DIR/.broker-reason.json"
        rm -f -- "$BROKER_REASON_FILE"

        @CURL_CONFIG@
        @FUNCTIONS@
        broker_post started "{\"kind\":\"started\",\"seq\":@SEQ_STARTED@,\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\"}" &
        BROKER_STARTER=$!

        broker_start_logs
        (

        """;

    // The run section's output is the job's: its stdout and stderr are shipped; a reason it wrote goes with finished.
    private const string Epilogue = """
        ) >"$BROKER_LOG_DIR/stdout.log" 2>"$BROKER_LOG_DIR/stderr.log"
        rc=$?
        BROKER_ENDED_AT=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
        broker_stop_logs
        BROKER_REASON=""
        if [ -s "$BROKER_REASON_FILE" ]; then
            BROKER_REASON=",\"reason\":$(cat -- "$BROKER_REASON_FILE")"
        fi
        wait "$BROKER_STARTER"
        broker_post finished "{\"kind\":\"finished\",\"seq\":@SEQ_FINISHED@,\"exitCode\":$rc$BROKER_REASON,\"at\":\"$BROKER_ENDED_AT\"}"
        exit $rc

        """;
}
