using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Broker.Core.Provisioning;

/// <summary>Whether the registered providers are the real clouds or the in-memory simulated ones.</summary>
public enum ComputeProviderKind
{
    Real,
    Simulated,
}

/// <summary>
/// The compute providers of this deployment, by name (<c>aws</c>, <c>azure</c>, <c>gcp</c>), from a frozen dictionary.
/// The composition root registers them already wrapped in <see cref="GuardedComputeProvider"/>.
/// </summary>
public sealed class ComputeProviders
{
    private readonly FrozenDictionary<string, IComputeProvider> byName;

    public ComputeProviders(IEnumerable<IComputeProvider> providers, ComputeProviderKind kind)
    {
        var named = new Dictionary<string, IComputeProvider>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            if (!named.TryAdd(provider.Name, provider))
            {
                throw new InvalidOperationException($"two compute providers are named '{provider.Name}'");
            }
        }
        byName = named.ToFrozenDictionary(StringComparer.Ordinal);
        Names = [.. byName.Keys.Order(StringComparer.Ordinal)];
        Kind = kind;
    }

    public ComputeProviderKind Kind { get; }

    /// <summary>Registered provider names, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    public bool TryGet(string name, [NotNullWhen(true)] out IComputeProvider? provider) => byName.TryGetValue(name, out provider);

    public IComputeProvider Get(string name) => TryGet(name, out var provider)
        ? provider
        : throw new InvalidOperationException($"no compute provider '{name}' is registered (registered: {string.Join(", ", Names)})");
}
