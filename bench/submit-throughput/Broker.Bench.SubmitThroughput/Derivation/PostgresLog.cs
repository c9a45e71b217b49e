using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>A statement run through the extended protocol, as the server logged it, with the values bound to $1..$n.</summary>
internal sealed record PgExecute(int Pid, string Sql, IReadOnlyList<string?> Parameters);

/// <summary>
/// Reads a PostgreSQL stderr log written with <c>log_statement = all</c> and the default <c>log_line_prefix '%m [%p] '</c>:
/// <c>LOG:  execute &lt;unnamed&gt;: …</c> entries and the <c>DETAIL:  parameters: $1 = '…'</c> that follows each from the same backend.
/// </summary>
internal static partial class PostgresLog
{
    public static IReadOnlyList<PgExecute> ReadExecutes(IEnumerable<string> lines)
    {
        var executes = new List<PgExecute>();
        foreach (var (pid, level, message) in Entries(lines))
        {
            if (level == "LOG" && ExecutePattern().Match(message) is { Success: true } execute)
            {
                executes.Add(new PgExecute(pid, execute.Groups["sql"].Value, []));
            }
            else if (level == "DETAIL" && message.StartsWith("parameters: ", StringComparison.Ordinal))
            {
                var last = executes.FindLastIndex(e => e.Pid == pid);
                if (last >= 0 && executes[last].Parameters.Count == 0)
                {
                    executes[last] = executes[last] with { Parameters = Values(message["parameters: ".Length..]) };
                }
            }
        }
        return executes;
    }

    /// <summary>Log entries; continuation lines (which the server starts with a tab) are joined back with newlines.</summary>
    private static IEnumerable<(int Pid, string Level, string Message)> Entries(IEnumerable<string> lines)
    {
        (int Pid, string Level, StringBuilder Message)? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith('\t') && current is { } open)
            {
                open.Message.Append('\n').Append(line, 1, line.Length - 1);
                continue;
            }
            if (current is { } done)
            {
                yield return (done.Pid, done.Level, done.Message.ToString());
                current = null;
            }
            if (PrefixPattern().Match(line) is { Success: true } m)
            {
                current = (int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture), m.Groups["level"].Value, new StringBuilder(m.Groups["message"].Value));
            }
        }
        if (current is { } last)
        {
            yield return (last.Pid, last.Level, last.Message.ToString());
        }
    }

    private static List<string?> Values(string detail)
    {
        var values = new List<string?>();
        foreach (Match m in ValuePattern().Matches(detail))
        {
            var position = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            if (position != values.Count + 1)
            {
                throw new InvalidDataException($"Unexpected parameter ${position} in: {detail}");
            }
            values.Add(m.Groups["value"].Success ? m.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal) : null);
        }
        return values;
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(?<pid>\d+)\] (?<level>[A-Z]+):  (?<message>.*)$")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex(@"^execute [^:]+: (?<sql>.*)$", RegexOptions.Singleline)]
    private static partial Regex ExecutePattern();

    [GeneratedRegex(@"\$(?<n>\d+) = (?:NULL|'(?<value>(?:[^']|'')*)')")]
    private static partial Regex ValuePattern();
}
