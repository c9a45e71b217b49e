using System.Globalization;

namespace Broker.Bench.Lifecycle;

/// <summary><c>--name value</c> pairs.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> values;

    private Options(Dictionary<string, string> values) => this.values = values;

    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected --name value, got '{name}'");
            }
            values[name[2..]] = e.Current;
        }
        return new Options(values);
    }

    public string Text(string name, string? fallback = null) =>
        values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Number(string name, int? fallback = null) =>
        values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
            : fallback ?? throw new ArgumentException($"--{name} is required");
}
