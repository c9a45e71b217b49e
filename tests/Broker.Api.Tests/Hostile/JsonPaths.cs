using System.Globalization;
using Broker.HostileInput.Json;

namespace Broker.Api.Tests.Hostile;

/// <summary>Sets or removes the value at a path such as <c>gpu.models[0]</c> or <c>labels.project</c> in a request body.</summary>
public static class JsonPaths
{
    public static JNode With(this JNode body, string path, JNode? value)
    {
        var copy = body.Clone();
        var steps = Steps(path);
        JNode node = copy;
        foreach (var step in steps[..^1])
        {
            node = step.Index is { } i ? ((JArray)node).Items[i] : ((JObject)node)[step.Name!] ?? throw new ArgumentException($"No '{path}'.", nameof(path));
        }
        var last = steps[^1];
        if (last.Index is { } index)
        {
            var array = (JArray)node;
            if (value is null)
            {
                array.Items.RemoveAt(index);
            }
            else
            {
                array.Items[index] = value;
            }
        }
        else
        {
            ((JObject)node)[last.Name!] = value;
        }
        return copy;
    }

    /// <summary>The object at <paramref name="path"/> with one more property (a duplicate name is kept as a second entry).</summary>
    public static JNode WithExtra(this JNode body, string path, string name, JNode value)
    {
        var copy = body.Clone();
        var target = path.Length == 0 ? copy : Steps(path).Aggregate(copy, (n, s) => s.Index is { } i ? ((JArray)n).Items[i] : ((JObject)n)[s.Name!]!);
        ((JObject)target).Properties.Add(new JProperty(name, value));
        return copy;
    }

    private sealed record Step(string? Name, int? Index);

    private static Step[] Steps(string path) => [.. path.Split('.').SelectMany(part =>
    {
        var bracket = part.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0
            ? [new Step(part, null)]
            : new[] { new Step(part[..bracket], null), new Step(null, int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture)) };
    })];
}
