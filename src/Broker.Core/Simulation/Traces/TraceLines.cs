namespace Broker.Core.Simulation.Traces;

/// <summary>The line reading every text trace shares: the header's named columns, then the non-empty lines by number.</summary>
public static class TraceLines
{
    /// <summary>
    /// Reads the comma-separated header (a BOM and CR dropped) and finds each of <paramref name="required"/> in it; a
    /// missing one is a format error at line 1.
    /// </summary>
    public static (string[] Header, Dictionary<string, int> Column) Header(TextReader reader, string source, IReadOnlyList<string> required)
    {
        var header = (reader.ReadLine() ?? "").TrimEnd('\r').TrimStart('\uFEFF').Split(',');
        var column = required.ToDictionary(c => c, c => Array.IndexOf(header, c), StringComparer.Ordinal);
        if (required.FirstOrDefault(c => column[c] < 0) is { } missing)
        {
            throw TraceFormatException.AtLine(source, 1, $"missing column '{missing}' (need {string.Join(",", required)})");
        }
        return (header, column);
    }

    /// <summary>The rest of the reader's lines (CR dropped) that are not empty, each with its number in the file, counting
    /// on from the <paramref name="linesRead"/> lines already read.</summary>
    public static IEnumerable<(int Number, string Line)> NonEmpty(TextReader reader, int linesRead)
    {
        var number = linesRead;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length > 0)
            {
                yield return (number, line);
            }
        }
    }
}
