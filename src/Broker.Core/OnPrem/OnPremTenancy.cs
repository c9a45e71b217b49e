using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Broker.Core.OnPrem;

/// <summary>One team's identity on the on-prem cluster.</summary>
/// <param name="OutputDirectory">The team's directory on the nodes; every job gets <c>&lt;dir&gt;/&lt;allocation id&gt;</c>.</param>
public sealed record OnPremTeamMapping(string Team, string User, string? Account, string OutputDirectory);

/// <summary>
/// The team → Unix user map on-prem jobs run under. A team without a mapping never runs on-prem (its jobs may still burst).
/// Built once at start-up: a mapping to root, to a user that resolves to uid 0, to a denied user or with a malformed name
/// or path refuses to start Broker, naming every problem.
/// </summary>
public sealed partial class OnPremTenancy
{
    /// <summary>
    /// Never acceptable: root, and the service users whose rights reach past one team (the Slurm and slurmrestd users can
    /// act for every user, munge can forge credentials, postgres owns the database; nobody is shared by system services).
    /// </summary>
    public static readonly IReadOnlyList<string> AlwaysDeniedUsers =
        ["root", "toor", "daemon", "bin", "sys", "adm", "sync", "nobody", "slurm", "slurmrest", "munge", "postgres"];

    public const string DefaultOutputRoot = "/var/lib/broker/teams";

    private readonly FrozenDictionary<string, OnPremTeamMapping> teams;

    private OnPremTenancy(FrozenDictionary<string, OnPremTeamMapping> teams) => this.teams = teams;

    /// <param name="outputRoot">Where team directories are by default (<c>Slurm:OutputRoot</c>); null for <see cref="DefaultOutputRoot"/>.</param>
    /// <param name="alsoDenied">More users that may never be mapped, e.g. the user Broker's own Slurm token belongs to.</param>
    /// <param name="uidOf">The local uid of a user name, or null when it is not known here (see <see cref="PasswdFile"/>).</param>
    /// <exception cref="InvalidOperationException">A mapping is not acceptable; the message names each problem.</exception>
    public static OnPremTenancy Create(OnPremTenancySettings settings, string? outputRoot, IEnumerable<string> alsoDenied,
        Func<string, int?> uidOf)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(uidOf);
        var denied = new HashSet<string>(AlwaysDeniedUsers.Concat(settings.DeniedUsers).Concat(alsoDenied)
            .Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()), StringComparer.OrdinalIgnoreCase);
        var root = string.IsNullOrWhiteSpace(outputRoot) ? DefaultOutputRoot : outputRoot.Trim();
        var problems = new List<string>();
        var mappings = new Dictionary<string, OnPremTeamMapping>(StringComparer.Ordinal);
        foreach (var (team, entry) in settings.Teams.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var user = entry.User?.Trim() ?? "";
            var account = string.IsNullOrWhiteSpace(entry.Account) ? null : entry.Account.Trim();
            var before = problems.Count;
            CheckUser(team, user, denied, uidOf, problems);
            if (account is not null && !AccountName().IsMatch(account))
            {
                problems.Add($"team '{team}': '{account}' is not a Slurm account name (letters, digits, '_', '.', '-')");
            }
            var directory = string.IsNullOrWhiteSpace(entry.OutputDirectory) ? $"{root.TrimEnd('/')}/{user}" : entry.OutputDirectory.Trim();
            if (PathProblem(directory) is { } pathProblem)
            {
                problems.Add($"team '{team}': output directory '{directory}' {pathProblem}"
                    + (string.IsNullOrWhiteSpace(entry.OutputDirectory) ? " (derived from Slurm:OutputRoot)" : ""));
            }
            if (problems.Count == before)
            {
                mappings[team] = new OnPremTeamMapping(team, user, account, directory.TrimEnd('/'));
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The on-prem team mapping (OnPrem:Teams) is refused: " + string.Join("; ", problems) + ".");
        }
        return new OnPremTenancy(mappings.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The team's mapping, or null when the team may not run on-prem.</summary>
    public OnPremTeamMapping? For(string team) => teams.GetValueOrDefault(team);

    /// <summary>Why the team's jobs get no on-prem option, or null when they may run on-prem.</summary>
    public string? RefusalFor(string team) => teams.ContainsKey(team) ? null : NoMapping(team);

    public static string NoMapping(string team) => $"team {team} has no on-prem user mapping";

    private static void CheckUser(string team, string user, HashSet<string> denied, Func<string, int?> uidOf, List<string> problems)
    {
        if (user.Length == 0)
        {
            problems.Add($"team '{team}': OnPrem:Teams:{team}:User is empty");
        }
        else if (denied.Contains(user))
        {
            problems.Add($"team '{team}': user '{user}' is never an acceptable on-prem user (root, service users and OnPrem:DeniedUsers are refused)");
        }
        else if (!UserName().IsMatch(user))
        {
            problems.Add($"team '{team}': '{user}' is not a Unix user name (a lowercase letter or '_', then up to 31 of a-z, 0-9, '_', '-')");
        }
        else if (uidOf(user) == 0)
        {
            problems.Add($"team '{team}': user '{user}' has uid 0 (root) on this host");
        }
    }

    /// <summary>An absolute, normalized path that Slurm and bash take literally ('%' would be a Slurm filename pattern).</summary>
    private static string? PathProblem(string path)
    {
        if (!path.StartsWith('/') || path.Trim('/').Length == 0)
        {
            return "is not an absolute path below /";
        }
        if (path.Any(c => char.IsControl(c) || c is '%' or '\\'))
        {
            return "contains a control character, '%' or '\\'";
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(s => s is "." or "..") || path.Contains("//", StringComparison.Ordinal)
            ? "is not a normalized path ('.', '..' or '//')"
            : path.Length > 1024 ? "is longer than 1024 characters" : null;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex AccountName();
}
