using System.Text;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>Just enough SQL lexing for EF Core's output: quotes are respected, nothing else is interpreted.</summary>
internal static class SqlText
{
    /// <summary>The statements of a command (a batch separates them with ';'), trimmed, without their ';'.</summary>
    public static IReadOnlyList<string> SplitStatements(string text)
    {
        var statements = new List<string>();
        var start = 0;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ';')
            {
                Add(text[start..i]);
                start = i + 1;
            }
        }
        Add(text[start..]);
        return statements;

        void Add(string statement)
        {
            if (statement.Trim() is { Length: > 0 } trimmed)
            {
                statements.Add(trimmed);
            }
        }
    }

    /// <summary>The <c>@name</c> placeholders outside quotes, in order of first appearance (Npgsql numbers them $1, $2… so).</summary>
    public static IReadOnlyList<string> Parameters(string statement)
    {
        var names = new List<string>();
        Rewrite(statement, name =>
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
            return "";
        });
        return names;
    }

    /// <summary>The statement with each <c>@name</c> outside quotes replaced.</summary>
    public static string Rewrite(string statement, Func<string, string> replacement)
    {
        var sql = new StringBuilder(statement.Length);
        var quote = '\0';
        for (var i = 0; i < statement.Length; i++)
        {
            var c = statement[i];
            if (quote == '\0' && c == '@' && i + 1 < statement.Length && IsNameChar(statement[i + 1]))
            {
                var end = i + 1;
                while (end < statement.Length && IsNameChar(statement[end]))
                {
                    end++;
                }
                sql.Append(replacement(statement[(i + 1)..end]));
                i = end - 1;
                continue;
            }
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            sql.Append(c);
        }
        return sql.ToString();
    }

    /// <summary>The statement as Npgsql sends it: placeholders as $1, $2… by first appearance.</summary>
    public static string Positional(string statement)
    {
        var names = Parameters(statement).ToList();
        return Rewrite(statement, name => "$" + (names.IndexOf(name) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Whitespace runs collapsed and a trailing ';' dropped, for comparing texts from different logs.</summary>
    public static string Normalize(string sql) =>
        string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd(';').TrimEnd();

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
