using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Broker.Core.Policies;

namespace Broker.Core.WhatIf;

/// <summary>
/// What to replay: the proposed policy document for the scope, and either a window of Broker's own history
/// (<see cref="From"/> to <see cref="To"/>, jobs submitted in [from, to)) or a stored trace by name.
/// </summary>
public sealed record WhatIfRequest(PolicyDocument? Policy, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Trace = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The request in one canonical form: times in UTC to the second, the document as policies are stored.</summary>
    public WhatIfRequest Normalised() => this with
    {
        Policy = PolicyJson.Read(PolicyJson.Write(Policy ?? PolicyDocument.Empty)),
        From = Trace is null ? Truncate(From) : null,
        To = Trace is null ? Truncate(To) : null,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WhatIfRequest FromJson(string json) =>
        JsonSerializer.Deserialize<WhatIfRequest>(json, Json) ?? throw new JsonException("empty what-if request");

    /// <summary>SHA-256 of the scope and the normalised request: identical requests hash alike.</summary>
    public string Hash(string scope) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + Normalised().ToJson())));

    private static DateTimeOffset? Truncate(DateTimeOffset? t) =>
        t is { } v ? new DateTimeOffset(v.UtcTicks - v.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero) : null;
}
