using System.Globalization;

namespace Broker.Providers.Slurm;

/// <summary>One generic resource of a node: <c>gpu:h100:8</c> is name <c>gpu</c>, type <c>h100</c>, count 8.</summary>
public sealed record GresEntry(string Name, string? Type, int Count);

/// <summary>
/// Parses Slurm's <c>gres</c> and <c>gres_used</c> strings as slurmrestd reports them, for example
/// <c>gpu:h100:8</c>, <c>gpu:h100:6(IDX:0-5)</c>, <c>gpu:a100:4(S:0-1)</c>, <c>gpu:8</c>, <c>(null)</c> or
/// <c>gpu:h100:4(S:0),gpu:a100:2(S:1),nic:1</c>. Parenthesized details may contain commas themselves.
/// </summary>
public static class GresParser
{
    public static IReadOnlyList<GresEntry> Parse(string? gres)
    {
        if (string.IsNullOrWhiteSpace(gres) || IsNullMarker(gres))
        {
            return [];
        }
        var entries = new List<GresEntry>();
        foreach (var item in SplitTopLevel(gres))
        {
            var entry = ParseOne(item);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    private static bool IsNullMarker(string value) => value.Trim() is "(null)" or "N/A" or "none";

    private static GresEntry? ParseOne(string item)
    {
        var paren = item.IndexOf('(', StringComparison.Ordinal);
        var spec = (paren >= 0 ? item[..paren] : item).Trim();
        if (spec.Length == 0 || IsNullMarker(spec))
        {
            return null;
        }
        var parts = spec.Split(':');
        // gpu, gpu:8, gpu:h100, gpu:h100:8; a count may carry a K/M/G multiplier.
        if (parts.Length == 1)
        {
            return new GresEntry(parts[0], null, 1);
        }
        if (parts.Length == 2)
        {
            return TryParseCount(parts[1], out var count) ? new GresEntry(parts[0], null, count) : new GresEntry(parts[0], parts[1], 1);
        }
        var type = string.Join(':', parts[1..^1]);
        return TryParseCount(parts[^1], out var typedCount) ? new GresEntry(parts[0], type, typedCount) : null;
    }

    private static bool TryParseCount(string text, out int count)
    {
        var multiplier = 1L;
        if (text.Length > 1 && char.IsLetter(text[^1]))
        {
            multiplier = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, 'G' => 1024L * 1024 * 1024, _ => 0L };
            text = text[..^1];
        }
        var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && multiplier > 0;
        count = ok ? (int)Math.Min(int.MaxValue, value * multiplier) : 0;
        return ok;
    }

    private static IEnumerable<string> SplitTopLevel(string gres)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < gres.Length; i++)
        {
            switch (gres[i])
            {
                case '(': depth++; break;
                case ')': depth = Math.Max(0, depth - 1); break;
                case ',' when depth == 0:
                    yield return gres[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return gres[start..];
    }
}
