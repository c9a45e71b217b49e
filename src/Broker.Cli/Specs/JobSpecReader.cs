using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Broker.Cli.Specs;

/// <summary>
/// Reads a job file strictly: an unknown or repeated key, a value of the wrong type or a file that is not one YAML mapping
/// is a usage error naming the file, line and column, so a typo never becomes a silently dropped field.
/// </summary>
public static partial class JobSpecReader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    public static JobSpec ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the job file {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static JobSpec Parse(string yaml, string source)
    {
        try
        {
            return Yaml.Deserialize<JobSpec?>(yaml)
                ?? throw new UsageException($"{source}: the job file is empty; it is a YAML mapping such as examples/job.yaml.");
        }
        catch (YamlException e)
        {
            throw new UsageException($"{source}:{e.Start.Line}:{e.Start.Column}: {Explain(e)}");
        }
    }

    private static string Explain(YamlException e)
    {
        var innermost = e;
        while (innermost.InnerException is YamlException inner)
        {
            innermost = inner;
        }
        var message = (innermost.InnerException?.Message ?? innermost.Message).Trim();
        if (UnknownProperty().Match(e.Message) is { Success: true } unknown)
        {
            var type = typeof(JobSpec).Assembly.GetType(unknown.Groups["type"].Value);
            var keys = type is null ? "" : " Known keys here: " + string.Join(", ", KeysOf(type)) + ".";
            return $"unknown key '{unknown.Groups["key"].Value}'.{keys}";
        }
        return e.Message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase) ? message : "invalid value: " + message;
    }

    private static IEnumerable<string> KeysOf(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

    [GeneratedRegex(@"Property '(?<key>[^']*)' not found on type '(?<type>[^']+)'")]
    private static partial Regex UnknownProperty();
}
