namespace Broker.Core.Provisioning;

/// <summary>
/// The one bash fragment both the cloud boot script and the on-prem batch script insert just before their run section
/// when the job has variables (ADR 0015). It defines <c>broker_env_fetch</c>, which asks
/// <c>GET {callback}/v1/instances/{allocation}/environment</c> with the allocation's <c>started</c> token (the script's own
/// <c>broker_curl_config started</c>, on curl's stdin like every callback), exports each variable of the answer, and sets
/// <c>BROKER_ENV_NAMES</c> to their names, space-separated. The answer is one line per variable, <c>NAME BASE64(value)</c>; names are checked again here, values
/// are decoded through a pipe, and nothing is written to a file, a command line or the output. 5xx, 429 and connection
/// errors are retried by the scripts' one loop (<see cref="CallbackShell"/>'s <c>broker_request</c>, which the fragment
/// expects to be defined); anything else returns <see cref="FailureExitCode"/>, and the caller does not run the job without
/// its variables.
/// </summary>
public static partial class JobEnvironmentScript
{
    /// <summary>EX_CONFIG: the job's variables could not be fetched, so the job did not run.</summary>
    public const int FailureExitCode = 78;

    public static string EnvironmentUrl(Uri callbackBaseUrl, Guid allocationId) =>
        $"{callbackBaseUrl.AbsoluteUri.TrimEnd('/')}/v1/instances/{allocationId:D}/environment";

    public static string Fragment(Uri callbackBaseUrl, Guid allocationId)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENV_URL"] = StartupScript.ShellQuote(EnvironmentUrl(callbackBaseUrl, allocationId)),
            ["FAILED"] = FailureExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // One pass over the template only, as the scripts do.
        return Placeholder().Replace(Template, m => values[m.Groups[1].Value]);
    }

    [System.Text.RegularExpressions.GeneratedRegex("@(ENV_URL|FAILED)@")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();

    private const string Template = """
        # The job's variables (ADR 0015): fetched from Broker at run time, never part of this script.
        BROKER_ENV_URL=@ENV_URL@
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
            broker_request GET "$BROKER_ENV_URL" started "the job's variables" 200 \
                || { echo "broker: the job does not run without its variables" >&2; return @FAILED@; }
            broker_env_load "$BROKER_BODY"
        }

        """;
}
