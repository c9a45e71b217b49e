using System.Text;
using System.Text.RegularExpressions;

namespace Broker.Core.Secrets;

/// <summary>
/// What a job's variables (<c>env</c> and <c>secretEnv</c>) and ops' secrets may be. The names become bash variables
/// exported before the job's run section (ADR 0015), so besides the portable grammar they may not be Broker's own
/// (<c>BROKER_</c>) nor one that changes how the script's own tools run (PATH, the dynamic loader, bash, curl's proxies,
/// docker's and Slurm's own settings). Values hold no NUL (bash cannot carry one) and no control character but tab and
/// line breaks.
/// </summary>
public static partial class JobEnvironmentRules
{
    public const int MaxVariables = 64;
    public const int MaxPlainValueBytes = 8 * 1024;
    public const int MaxPlainTotalBytes = 32 * 1024;
    public const int MaxSecretNameLength = 128;
    public const int MaxSecretValueBytes = 16 * 1024;
    public const int MaxSecretTeams = 64;

    public const string NameRule = "Variable names match ^[A-Za-z_][A-Za-z0-9_]{0,127}$, do not start with BROKER_ and are not one the job's "
        + "script itself relies on (PATH, HOME, IFS, TMPDIR, proxies such as HTTPS_PROXY, or names starting with LD_, BASH_, DOCKER_, SLURM_ or CURL_).";

    public const string ValueRule = "Values may not contain U+0000 or control characters other than tab, line feed and carriage return.";

    public const string SecretNameRule = "Secret names are 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.";

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "PATH", "HOME", "IFS", "ENV", "SHELL", "SHELLOPTS", "BASHOPTS", "PS4", "CDPATH", "GLOBIGNORE", "PWD", "OLDPWD",
        "USER", "LOGNAME", "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
    };

    private static readonly string[] ReservedPrefixes = ["BROKER_", "LD_", "BASH_", "DOCKER_", "SLURM_", "CURL_"];

    public static bool IsVariableName(string? name) =>
        name is not null && VariableName().IsMatch(name) && !ReservedNames.Contains(name)
        && !ReservedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    public static bool IsSecretName(string? name) => name is not null && SecretName().IsMatch(name);

    /// <summary>No NUL and no control character (C0, DEL, C1) but tab, line feed and carriage return.</summary>
    public static bool IsValueText(string? value) =>
        value is not null && !value.Any(c => (c < ' ' && c is not ('\t' or '\n' or '\r')) || c is >= '\u007f' and <= '\u009f');

    public static int Utf8Bytes(string value) => Encoding.UTF8.GetByteCount(value);

    // \z, not $: $ also matches before a final line feed.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex SecretName();
}
