namespace Broker.Core.Auth;

/// <summary>An API key. Only its SHA-256 hash is stored; the secret is shown once, at creation.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public ApiKeyRole Role { get; set; }

    /// <summary>The team a submitter key is bound to; null for the other roles.</summary>
    public string? Team { get; set; }

    /// <summary>The first characters of the key, so people can tell their keys apart without the secret.</summary>
    public string Prefix { get; set; } = "";

    public string Hash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
