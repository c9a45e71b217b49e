using System.Text;

namespace Broker.Tools.Seed;

/// <summary>Reads a source catalog CSV (RFC 4180 quoting, one record per line) into rows addressed by column name.</summary>
public static class SourceCsv
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() is { } h ? Split(h) : throw new InvalidDataException($"{path} is empty");
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0)
            {
                continue;
            }
            var fields = Split(line);
            if (fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}: {fields.Count} fields where the header has {header.Count}: {line}");
            }
            yield return header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim(), StringComparer.Ordinal);
        }
    }

    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields;
    }
}
