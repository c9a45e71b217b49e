using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Cli.Config;

/// <summary>What <c>broker login</c> stores: where Broker is and the key to call it with.</summary>
public sealed record CliConfig(string Url, string ApiKey);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(CliConfig))]
internal sealed partial class ConfigJson : JsonSerializerContext;
