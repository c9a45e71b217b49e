namespace Broker.Core.Placement;

/// <summary>A job's model list and memory floor as a dictionary key (compared by content, case-insensitively).</summary>
internal readonly struct RequestShape(IReadOnlyList<string> models, int minMemoryGb) : IEquatable<RequestShape>
{
    public bool Equals(RequestShape other)
    {
        if (minMemoryGb != other.MinMemoryGb || models.Count != other.Models.Count)
        {
            return false;
        }
        for (var i = 0; i < models.Count; i++)
        {
            if (!string.Equals(models[i], other.Models[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is RequestShape other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(minMemoryGb);
        for (var i = 0; i < models.Count; i++)
        {
            hash.Add(models[i], StringComparer.OrdinalIgnoreCase);
        }
        return hash.ToHashCode();
    }

    private IReadOnlyList<string> Models => models;

    private int MinMemoryGb => minMemoryGb;
}
