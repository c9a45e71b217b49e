using System.Globalization;

namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>Reads EC2 Query API parameters, whose lists are flattened as <c>Name.1</c>, <c>Name.2.Key</c> and so on.</summary>
internal sealed class Ec2Query(IReadOnlyDictionary<string, string> parameters)
{
    public string? Get(string name) => parameters.GetValueOrDefault(name);

    public string Required(string name) =>
        Get(name) ?? throw new Ec2Error("MissingParameter", $"The request must contain the parameter {name}");

    public int? Int(string name) => Get(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    /// <summary>Values of <c>prefix.1</c>, <c>prefix.2</c>... (or <c>prefix.N.suffix</c>).</summary>
    public List<string> List(string prefix, string? suffix = null) =>
        Indexes(prefix).Select(i => Get(suffix is null ? $"{prefix}.{i}" : $"{prefix}.{i}.{suffix}")).OfType<string>().ToList();

    /// <summary>The list positions N present under <c>prefix.N</c>, in order.</summary>
    public IEnumerable<int> Indexes(string prefix) => parameters.Keys
        .Where(k => k.StartsWith(prefix + ".", StringComparison.Ordinal))
        .Select(k => k[(prefix.Length + 1)..].Split('.')[0])
        .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
        .Where(i => i > 0)
        .Distinct()
        .Order();

    /// <summary>Tags under <c>prefix.N.Key</c> / <c>prefix.N.Value</c>.</summary>
    public Dictionary<string, string> Tags(string prefix) => Indexes(prefix)
        .ToDictionary(i => Required($"{prefix}.{i}.Key"), i => Get($"{prefix}.{i}.Value") ?? "", StringComparer.Ordinal);

    /// <summary>A stable fingerprint of everything but the envelope, for ClientToken parameter matching.</summary>
    public string Fingerprint(params string[] ignored) => string.Join("&", parameters
        .Where(p => p.Key is not ("Action" or "Version") && !ignored.Contains(p.Key))
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Key}={p.Value}"));
}
