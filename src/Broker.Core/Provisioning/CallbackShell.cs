using System.Text;

namespace Broker.Core.Provisioning;

/// <summary>
/// The bash both the cloud boot script (<see cref="StartupScript"/>) and the on-prem batch script (<see cref="OnPremBatchScript"/>)
/// use to talk to Broker, so the two keep one contract: <c>broker_request</c>, the one retry loop (5xx, 429 and connection
/// errors back off from 2 s doubling to 60 s, 30 attempts; anything else cannot change), for posts and for a GET whose body
/// it keeps; <c>broker_post_to</c> (200, 202 and 409 end it), the events wrapper <c>broker_post</c>, and the log shipper.
/// The job-environment fetch (<see cref="JobEnvironmentScript"/>) uses the same loop and token config.
/// <para>
/// Log shipping (ADR 0014): the job's stdout and stderr go to <c>$BROKER_LOG_DIR/stdout.log</c> and <c>stderr.log</c>;
/// <c>broker_start_logs</c> starts a background shipper that every <c>BROKER_LOG_INTERVAL</c> seconds posts what is new
/// to <c>POST /v1/instances/{id}/logs</c> as <c>{"stream","offset","text"}</c>: whole lines, at most
/// <c>BROKER_LOG_CHUNK_BYTES</c> (32 KiB, so even a body of escaped control characters stays under the endpoint's limit)
/// per chunk, a longer line cut, NUL bytes sent as spaces and invalid UTF-8 dropped, the offset being the chunk's byte
/// offset in its file. <c>broker_stop_logs</c> has it ship what is left (the last line even without its newline) and waits
/// for it, so every chunk is posted by one process, in order, and a retry re-sends the same bytes at the same offset
/// (Broker answers 200 duplicate). A chunk refused for good (400) is skipped; one Broker could not be reached for stays
/// and is tried again next round. Chunks carry the <c>finished</c> token (Broker takes any of the allocation's tokens for
/// logs, and that one is valid to the end). The chunk body travels in a file of the script's own (mode 600), never on a command line.
/// </para>
/// </summary>
public static class CallbackShell
{
    public static string LogsUrl(Uri callbackBaseUrl, Guid allocationId) =>
        $"{callbackBaseUrl.AbsoluteUri.TrimEnd('/')}/v1/instances/{allocationId:D}/logs";

    /// <summary>
    /// <c>broker_curl_config KIND</c>: prints the curl config line with that kind's bearer token, so tokens travel on curl's
    /// stdin, never on a command line. Tokens must already be checked to be base64 or URL-safe text.
    /// </summary>
    public static string CurlConfigFunction(IEnumerable<(string Kind, string Token)> tokens)
    {
        var text = new StringBuilder("""
            # One token per event kind. They travel in curl's config on stdin, so they never show on a command line.
            broker_curl_config() {
                case "$1" in

            """);
        foreach (var (kind, token) in tokens)
        {
            text.Append("    ").Append(kind).Append(")\n")
                .Append("        cat <<'BROKER_CURL_CONFIG'\n")
                .Append("header = \"Authorization: Bearer ").Append(token).Append("\"\n")
                .Append("BROKER_CURL_CONFIG\n")
                .Append("        ;;\n");
        }
        return text.Append("    esac\n}\n").ToString();
    }

    /// <summary><c>broker_json_string VALUE</c>: prints VALUE as a JSON string (bytes taken as they are; the caller makes
    /// them UTF-8). Part of <see cref="Functions"/>; on its own for a run section without callbacks.</summary>
    public const string JsonStringFunction = """
        # Prints its argument as a JSON string (bytes taken as they are; the caller makes them UTF-8).
        broker_json_string() {
            local LC_ALL=C s=$1 c i
            s=${s//\\/\\\\}
            s=${s//\"/\\\"}
            s=${s//$'\n'/\\n}
            s=${s//$'\t'/\\t}
            s=${s//$'\r'/\\r}
            case $s in
            *[$'\x01'-$'\x1f']*)
                for i in 1 2 3 4 5 6 7 8 11 12 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
                    printf -v c "\\x$(printf %02x "$i")"
                    s=${s//"$c"/$(printf '\\u%04x' "$i")}
                done
                ;;
            esac
            printf '"%s"' "$s"
        }

        """;

    /// <summary>The shared functions; they expect <c>BROKER_EVENTS_URL</c>, <c>BROKER_LOGS_URL</c>, <c>BROKER_LOG_DIR</c>
    /// and <c>broker_curl_config</c> to be defined before they are called.</summary>
    public const string Functions = """
        BROKER_POST_ATTEMPTS="${BROKER_POST_ATTEMPTS:-30}"
        BROKER_RETRY_DELAY="${BROKER_RETRY_DELAY:-2}"
        BROKER_RETRY_MAX_DELAY="${BROKER_RETRY_MAX_DELAY:-60}"
        BROKER_LOG_INTERVAL="${BROKER_LOG_INTERVAL:-5}"
        BROKER_LOG_CHUNK_BYTES="${BROKER_LOG_CHUNK_BYTES:-32768}"

        # broker_request METHOD URL TOKEN-KIND WHAT OK [DATA]: the one retry loop. Calls Broker with the token of TOKEN-KIND
        # until it answers one of the statuses in OK (space-separated). 5xx, 429 and connection errors are retried with
        # backoff, a bounded number of times; anything else cannot change. A POST sends DATA (JSON, or @file); a GET keeps
        # the answer's body in BROKER_BODY. Returns 0 done, 1 refused and not retried, 2 given up.
        broker_request() {
            local method=$1 url=$2 kind=$3 what=$4 ok=" $5 " data=${6-} attempt=1 delay=$BROKER_RETRY_DELAY answer status
            local args=(--silent --show-error --max-time 20) verb=post doing=$what
            if [ "$method" = GET ]; then
                args+=(--write-out '\n%{http_code}' --header 'Accept: text/plain')
                verb=get doing="getting $what"
            else
                args+=(--output /dev/null --write-out '%{http_code}' \
                    --request "$method" --header 'Content-Type: application/json' --data-binary "$data")
            fi
            while true; do
                answer=$(broker_curl_config "$kind" | curl "${args[@]}" --config - "$url")
                status=${answer##*$'\n'}
                status=${status:-000}
                if [[ $ok == *" $status "* ]]; then
                    [ "$method" = GET ] && BROKER_BODY=${answer%$'\n'*}
                    return 0
                fi
                case "$status" in
                5?? | 429 | 000) ;;
                *)
                    echo "broker: $doing was refused with HTTP $status; not retried" >&2
                    return 1
                    ;;
                esac
                if [ "$attempt" -ge "$BROKER_POST_ATTEMPTS" ]; then
                    echo "broker: could not $verb $what after $attempt attempts (last HTTP $status)" >&2
                    return 2
                fi
                sleep "$delay"
                attempt=$((attempt + 1))
                delay=$((delay * 2 > BROKER_RETRY_MAX_DELAY ? BROKER_RETRY_MAX_DELAY : delay * 2))
            done
        }

        # broker_post_to URL TOKEN-KIND DATA WHAT: posts DATA until Broker acknowledges it: 200 (a duplicate), 202 (accepted)
        # or 409 (refused for good).
        broker_post_to() {
            broker_request POST "$1" "$2" "$4" "200 202 409" "$3"
        }

        # broker_post KIND BODY: one event, with the token of its kind.
        broker_post() {
            broker_post_to "$BROKER_EVENTS_URL" "$1" "$2" "event $1"
        }

        """ + JsonStringFunction + """
        declare -A BROKER_LOG_SENT=()

        # broker_ship_stream STREAM [final]: posts the stream's output past what was sent, chunk by chunk.
        broker_ship_stream() {
            local LC_ALL=C stream=$1 final=${2:-} file="$BROKER_LOG_DIR/$1.log" body="$BROKER_LOG_DIR/.broker-chunk.json"
            local offset size window keep text
            while true; do
                offset=${BROKER_LOG_SENT[$stream]:-0}
                size=$(wc -c <"$file" 2>/dev/null) || return 0
                [ "${size:-0}" -gt "$offset" ] || return 0
                window=$(tail -c "+$((offset + 1))" -- "$file" | head -c "$BROKER_LOG_CHUNK_BYTES" | tr '\000' ' '; printf x)
                window=${window%x}
                if [ -n "$final" ] && [ "${#window}" -lt "$BROKER_LOG_CHUNK_BYTES" ]; then
                    keep=${#window}
                elif [[ $window == *$'\n'* ]]; then
                    text=${window%$'\n'*}
                    keep=$((${#text} + 1))
                elif [ "${#window}" -ge "$BROKER_LOG_CHUNK_BYTES" ]; then
                    keep=${#window}
                else
                    return 0
                fi
                text=${window:0:keep}
                if command -v iconv >/dev/null; then
                    text=$(printf '%s' "$text" | iconv -f UTF-8 -t UTF-8 -c 2>/dev/null; printf x)
                    text=${text%x}
                fi
                { printf '{"stream":"%s","offset":%s,"text":' "$stream" "$offset"; broker_json_string "$text"; printf '}'; } >"$body"
                broker_post_to "$BROKER_LOGS_URL" finished "@$body" "$stream chunk at offset $offset"
                [ $? -eq 2 ] && return 0
                BROKER_LOG_SENT[$stream]=$((offset + keep))
            done
        }

        broker_log_shipper() {
            local i
            while [ ! -e "$BROKER_LOG_DIR/.broker-logs-stop" ]; do
                broker_ship_stream stdout
                broker_ship_stream stderr
                for ((i = 0; i < BROKER_LOG_INTERVAL * 5; i++)); do
                    [ -e "$BROKER_LOG_DIR/.broker-logs-stop" ] && break
                    sleep 0.2
                done
            done
            broker_ship_stream stdout final
            broker_ship_stream stderr final
        }

        broker_start_logs() {
            rm -f -- "$BROKER_LOG_DIR/.broker-logs-stop"
            : >"$BROKER_LOG_DIR/stdout.log"
            : >"$BROKER_LOG_DIR/stderr.log"
            broker_log_shipper &
            BROKER_LOG_SHIPPER=$!
        }

        broker_stop_logs() {
            : >"$BROKER_LOG_DIR/.broker-logs-stop"
            wait "$BROKER_LOG_SHIPPER"
        }

        """;
}
