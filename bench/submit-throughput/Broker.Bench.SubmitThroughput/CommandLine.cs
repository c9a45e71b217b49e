using System.Globalization;

namespace Broker.Bench.SubmitThroughput;

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class CommandLine(IReadOnlyDictionary<string, string> values)
{
    public static CommandLine Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current.StartsWith("--", StringComparison.Ordinal)
                ? e.Current[2..]
                : throw new ArgumentException($"Expected --option, got '{e.Current}'.");
            values[name] = e.MoveNext() ? e.Current : throw new ArgumentException($"--{name} needs a value.");
        }
        return new CommandLine(values);
    }

    public string Text(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int Number(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public long Number(string name, long fallback) =>
        values.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
