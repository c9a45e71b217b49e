namespace Broker.Core.Provisioning;

/// <summary>
/// The one bash fragment both the cloud boot script and the on-prem batch script insert just before their run section
/// when the job has variables (ADR 0015). It defines <c>broker_env_fetch</c>, which asks
/// <c>GET {callback}/v1/instances/{allocation}/environment</c> with the allocation's <c>started</c> token (in curl's config
/// on stdin, like every callback), exports each variable of the answer, and sets <c>BROKER_ENV_NAMES</c> to their names,
/// space-separated. The answer is one line per variable, <c>NAME BASE64(value)</c>; names are checked again here, values
/// are decoded through a pipe, and nothing is written to a file, a command line or the output. 5xx, 429 and connection
/// errors are retried like the scripts' posts; anything else returns <see cref="FailureExitCode"/>, and the caller does not
/// run the job without its variables.
/// </summary>
public static partial class JobEnvironmentScript
{
    /// <summary>EX_CONFIG: the job's variables could not be fetched, so the job did not run.</summary>
    public const int FailureExitCode = 78;

    public static string EnvironmentUrl(Uri callbackBaseUrl, Guid allocationId) =>
        $"{callbackBaseUrl.AbsoluteUri.TrimEnd('/')}/v1/instances/{allocationId:D}/environment";

    /// <param name="token">The allocation's <c>started</c> token, already checked to be URL-safe text by the script's renderer.</param>
    public static string Fragment(Uri callbackBaseUrl, Guid allocationId, string token)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENV_URL"] = StartupScript.ShellQuote(EnvironmentUrl(callbackBaseUrl, allocationId)),
            ["FAILED"] = FailureExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TOKEN"] = token,
        };
        // One pass over the template only, as the scripts do.
        return Placeholder().Replace(Template, m => values[m.Groups[1].Value]);
    }

    [System.Text.RegularExpressions.GeneratedRegex("@(ENV_URL|FAILED|TOKEN)@")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();

    private const string Template = """
        # The job's variables (ADR 0015): fetched from Broker at run time, never part of this script.
        BROKER_ENV_URL=@ENV_URL@
        broker_env_config() {
            cat <<'BROKER_CURL_CONFIG'
        header = "Authorization: Bearer @TOKEN@"
        BROKER_CURL_CONFIG
        }
        broker_env_load() {
            local rest=$1 line name value names=""
            while [ -n "$rest" ]; do
                line=${rest%%$'\n'*}
                if [[ $rest == *$'\n'* ]]; then rest=${rest#*$'\n'}; else rest=""; fi
                [ -n "$line" ] || continue
                name=${line%% *}
                if ! [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]{0,127}$ ]] || [[ $name == BROKER_* ]] || [[ $line != *" "* ]]; then
                    echo "broker: Broker sent a job variable this script cannot take; the job does not run" >&2
                    return @FAILED@
                fi
                value=$(printf '%s' "${line#* }" | base64 -d && printf x) || return @FAILED@
                export "$name=${value%x}"
                names="$names${names:+ }$name"
            done
            BROKER_ENV_NAMES=$names
            export BROKER_ENV_NAMES
        }
        broker_env_fetch() {
            local attempt=1 delay=${BROKER_RETRY_DELAY:-2} answer status
            while true; do
                answer=$(broker_env_config | curl --silent --show-error --max-time 20 --write-out '\n%{http_code}' \
                    --header 'Accept: text/plain' --config - "$BROKER_ENV_URL")
                status=${answer##*$'\n'}
                case "${status:-000}" in
                200)
                    broker_env_load "${answer%$'\n'*}"
                    return
                    ;;
                5?? | 429 | 000) ;;
                *)
                    echo "broker: the job's variables were refused with HTTP $status; the job does not run" >&2
                    return @FAILED@
                    ;;
                esac
                if [ "$attempt" -ge "${BROKER_POST_ATTEMPTS:-30}" ]; then
                    echo "broker: could not fetch the job's variables after $attempt attempts; the job does not run" >&2
                    return @FAILED@
                fi
                sleep "$delay"
                attempt=$((attempt + 1))
                delay=$((delay * 2 > ${BROKER_RETRY_MAX_DELAY:-60} ? ${BROKER_RETRY_MAX_DELAY:-60} : delay * 2))
            done
        }

        """;
}
