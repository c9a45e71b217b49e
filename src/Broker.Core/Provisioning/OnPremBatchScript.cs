using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Provisioning;

/// <summary>
/// Renders the Slurm batch script of an on-prem allocation: a reporting prologue that posts <c>started</c> in the background
/// (so the job does not wait for Broker), the given run section, and an epilogue that waits for <c>started</c> to be
/// acknowledged (so the seqs arrive in order) and then posts <c>finished</c> with the run section's exit code, retrying until
/// acknowledged. The callback contract, retry rules and seqs are the cloud boot script's (<see cref="StartupScript"/>, ADR
/// 0006); the tokens are the on-prem script ones (<see cref="CallbackTokens.ForOnPremScript"/>) and travel in curl's config
/// on stdin, never on a command line.
/// </summary>
public static partial class OnPremBatchScript
{
    /// <param name="runSection">Bash lines that run the job; its last command's status is the job's exit code. It is
    /// inserted as it is, so the caller quotes every value in it.</param>
    public static string Render(Guid allocationId, Uri callbackBaseUrl, CallbackTokenSet tokens, string runSection)
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
            ["TOKEN_STARTED"] = tokens.Started,
            ["TOKEN_FINISHED"] = tokens.Finished,
            ["SEQ_STARTED"] = InstanceEvent.SeqOf(InstanceEventKind.Started).ToString(CultureInfo.InvariantCulture),
            ["SEQ_FINISHED"] = InstanceEvent.SeqOf(InstanceEventKind.Finished).ToString(CultureInfo.InvariantCulture),
        };
        var prologue = Placeholder().Replace(Prologue, m => values[m.Groups[1].Value]);
        var epilogue = Placeholder().Replace(Epilogue, m => values[m.Groups[1].Value]);
        // The run section is appended, never scanned for placeholders.
        return prologue + runSection.TrimEnd('\n') + "\n" + epilogue;
    }

    [GeneratedRegex("@(ALLOCATION|EVENTS_URL|TOKEN_STARTED|TOKEN_FINISHED|SEQ_STARTED|SEQ_FINISHED)@")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z0-9._~+/=-]+$")]
    private static partial Regex TokenCharacters();

    private const string Prologue = """
        #!/bin/bash
        # Broker on-prem batch script: allocation @ALLOCATION@.
        BROKER_EVENTS_URL=@EVENTS_URL@
        BROKER_POST_ATTEMPTS="${BROKER_POST_ATTEMPTS:-30}"
        BROKER_RETRY_DELAY="${BROKER_RETRY_DELAY:-2}"
        BROKER_RETRY_MAX_DELAY="${BROKER_RETRY_MAX_DELAY:-60}"

        broker_curl_config() {
            case "$1" in
            started)
                cat <<'BROKER_CURL_CONFIG'
        header = "Authorization: Bearer @TOKEN_STARTED@"
        BROKER_CURL_CONFIG
                ;;
            finished)
                cat <<'BROKER_CURL_CONFIG'
        header = "Authorization: Bearer @TOKEN_FINISHED@"
        BROKER_CURL_CONFIG
                ;;
            esac
        }

        # 200 (duplicate), 202 (accepted) and 409 (refused for good) end the retries; 5xx, 429 and connection errors back off.
        broker_post() {
            local kind=$1 body=$2 attempt=1 delay=$BROKER_RETRY_DELAY status
            while true; do
                status=$(broker_curl_config "$kind" | curl --silent --show-error --max-time 20 \
                    --output /dev/null --write-out '%{http_code}' \
                    --request POST --header 'Content-Type: application/json' --data-binary "$body" \
                    --config - "$BROKER_EVENTS_URL")
                case "${status:-000}" in
                200 | 202 | 409) return 0 ;;
                5?? | 429 | 000) ;;
                *)
                    echo "broker: event $kind was refused with HTTP $status; not retried" >&2
                    return 1
                    ;;
                esac
                if [ "$attempt" -ge "$BROKER_POST_ATTEMPTS" ]; then
                    echo "broker: could not post event $kind after $attempt attempts (last HTTP ${status:-000})" >&2
                    return 1
                fi
                sleep "$delay"
                attempt=$((attempt + 1))
                delay=$((delay * 2 > BROKER_RETRY_MAX_DELAY ? BROKER_RETRY_MAX_DELAY : delay * 2))
            done
        }

        broker_post started "{\"kind\":\"started\",\"seq\":@SEQ_STARTED@,\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\"}" &
        BROKER_STARTER=$!

        """;

    private const string Epilogue = """
        rc=$?
        wait "$BROKER_STARTER"
        broker_post finished "{\"kind\":\"finished\",\"seq\":@SEQ_FINISHED@,\"exitCode\":$rc,\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\"}"
        exit $rc

        """;
}
