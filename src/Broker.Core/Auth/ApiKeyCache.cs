using System.Collections.Concurrent;

namespace Broker.Core.Auth;

/// <summary>How long a process may keep answering for a key it authenticated (<c>Auth:KeyCacheTtl</c>; zero turns it off).</summary>
public sealed class ApiKeyCacheOptions
{
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>What a request needs of an authenticated key; never its secret or hash.</summary>
public sealed record AuthenticatedKey(Guid Id, string Name, ApiKeyRole Role, string? Team);

/// <summary>
/// Live keys by hash, kept by the process for at most <see cref="ApiKeyCacheOptions.KeyCacheTtl"/>, where every request used
/// to read its key. Only live keys are kept (an unknown or revoked secret is read again every time), so a key created on
/// any replica works at once; a key revoked on another replica keeps working here until its entry is older than the TTL.
/// </summary>
public sealed class ApiKeyCache(TimeProvider clock, ApiKeyCacheOptions options)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private long evictions;

    private sealed record Entry(AuthenticatedKey Key, DateTimeOffset ReadAt);

    /// <summary>Taken before reading a key from the database and handed to <see cref="Add"/>.</summary>
    public long Generation => Interlocked.Read(ref evictions);

    public AuthenticatedKey? Find(string hash)
    {
        if (!entries.TryGetValue(hash, out var entry))
        {
            return null;
        }
        var age = clock.GetUtcNow() - entry.ReadAt;
        if (age < options.KeyCacheTtl && age >= TimeSpan.Zero)
        {
            return entry.Key;
        }
        entries.TryRemove(new KeyValuePair<string, Entry>(hash, entry));
        return null;
    }

    /// <summary>
    /// Keeps a key read while <see cref="Generation"/> was <paramref name="generationBeforeRead"/>. A read that overlapped an
    /// eviction is not kept: it may have seen the key just before its revocation committed.
    /// </summary>
    public void Add(string hash, AuthenticatedKey key, long generationBeforeRead, DateTimeOffset readAt)
    {
        if (options.KeyCacheTtl <= TimeSpan.Zero)
        {
            return;
        }
        entries[hash] = new Entry(key, readAt);
        if (Generation != generationBeforeRead)
        {
            entries.TryRemove(hash, out _);
        }
    }

    public void Evict(string hash)
    {
        Interlocked.Increment(ref evictions);
        entries.TryRemove(hash, out _);
    }
}
