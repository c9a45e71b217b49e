using System.Text;

namespace Broker.Core.Simulation.Traces;

/// <summary>
/// FNV-1a (32-bit) over UTF-8 followed by the murmur3 finalizer (so similar names spread evenly): the same value on every
/// machine and run, unlike string.GetHashCode.
/// </summary>
public static class StableHash
{
    public static uint Of(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }
        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        hash ^= hash >> 16;
        return hash;
    }

    /// <summary>A deterministic number in [0, 1) for a key and a purpose (the salt keeps different rules independent).</summary>
    public static double Unit(string key, string salt) => Of(salt + ":" + key) / 4294967296.0;
}
