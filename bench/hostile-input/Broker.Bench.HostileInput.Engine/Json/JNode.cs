using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Broker.HostileInput.Json;

/// <summary>
/// A JSON tree that can say what System.Text.Json will not write: duplicate keys, numbers in any spelling, lone surrogates
/// and deliberately broken text. Requests are built and mutated as these trees, then written out with <see cref="ToJson"/>.
/// </summary>
public abstract class JNode
{
    public abstract void Write(StringBuilder json);

    public abstract JNode Clone();

    public string ToJson()
    {
        var json = new StringBuilder();
        Write(json);
        return json.ToString();
    }

    public static JNode From(JsonNode? node) => node switch
    {
        null => new JRaw("null"),
        JsonObject o => new JObject([.. o.Select(p => new JProperty(p.Key, From(p.Value)))]),
        JsonArray a => new JArray([.. a.Select(From)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new JText(v.GetValue<string>()),
        JsonValue v => new JRaw(v.ToJsonString()),
        _ => throw new ArgumentException("Unknown JSON node.", nameof(node)),
    };

    public static JNode Parse(string json) => From(JsonNode.Parse(json));

    public static JNode Number(long value) => new JRaw(value.ToString(CultureInfo.InvariantCulture));
}

public sealed class JProperty(string name, JNode value)
{
    public string Name { get; set; } = name;

    public JNode Value { get; set; } = value;
}

public sealed class JObject(List<JProperty> properties) : JNode
{
    public List<JProperty> Properties { get; } = properties;

    public JNode? this[string name]
    {
        get => Properties.FirstOrDefault(p => p.Name == name)?.Value;
        set
        {
            Properties.RemoveAll(p => p.Name == name);
            if (value is not null)
            {
                Properties.Add(new JProperty(name, value));
            }
        }
    }

    public override void Write(StringBuilder json)
    {
        json.Append('{');
        for (var i = 0; i < Properties.Count; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }
            JText.WriteString(json, Properties[i].Name);
            json.Append(':');
            Properties[i].Value.Write(json);
        }
        json.Append('}');
    }

    public override JNode Clone() => new JObject([.. Properties.Select(p => new JProperty(p.Name, p.Value.Clone()))]);
}

public sealed class JArray(List<JNode> items) : JNode
{
    public List<JNode> Items { get; } = items;

    public override void Write(StringBuilder json)
    {
        json.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }
            Items[i].Write(json);
        }
        json.Append(']');
    }

    public override JNode Clone() => new JArray([.. Items.Select(i => i.Clone())]);
}

/// <summary>A JSON string. Control characters, quotes and lone surrogates are written as escapes, so any .NET string fits.</summary>
public sealed class JText(string value) : JNode
{
    public string Value { get; set; } = value;

    public override void Write(StringBuilder json) => WriteString(json, Value);

    public override JNode Clone() => new JText(Value);

    public static void WriteString(StringBuilder json, string value)
    {
        json.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (pair)
            {
                json.Append(c).Append(value[++i]);
            }
            else if (c is '"' or '\\')
            {
                json.Append('\\').Append(c);
            }
            else if (c < ' ' || c == '\u007f' || char.IsSurrogate(c))
            {
                json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                json.Append(c);
            }
        }
        json.Append('"');
    }
}

/// <summary>Text written as it is: numbers in any spelling, literals, or JSON that is broken on purpose.</summary>
public sealed class JRaw(string text) : JNode
{
    public string Text { get; } = text;

    public override void Write(StringBuilder json) => json.Append(Text);

    public override JNode Clone() => new JRaw(Text);
}
