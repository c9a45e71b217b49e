using System.Text;
using System.Text.Json;

namespace Broker.Api.Input;

/// <summary>
/// Walks a JSON document token by token and reports every string (value or object key) that breaks
/// <see cref="TextRules.IsBodyText"/>, by the path callers know from the request schema: <c>command[1]</c>,
/// <c>labels.team</c>, <c>gpu.models[0]</c>. Malformed JSON ends the walk quietly: the model binder reports it.
/// </summary>
public static class JsonTextScan
{
    private const int MaxReported = 10;

    public static Dictionary<string, string[]> Violations(ReadOnlySpan<byte> json)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (errors.Count < MaxReported && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        ValueDone(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = ReadText(ref reader, frames, errors, "A field name");
                        frames[^1].Property = name;
                        if (name is not null && !TextRules.IsBodyText(name))
                        {
                            errors[Path(frames, upToParent: true)] = ["A field name: " + TextRules.BodyRule];
                        }
                        break;
                    case JsonTokenType.String:
                        if (ReadText(ref reader, frames, errors, "This value") is { } text && !TextRules.IsBodyText(text))
                        {
                            errors[Path(frames, upToParent: false)] = [TextRules.BodyRule];
                        }
                        ValueDone(frames);
                        break;
                    default:
                        ValueDone(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON at all, or nested too deep: the binder answers that with its own 400.
        }
        return errors;
    }

    private static string? ReadText(ref Utf8JsonReader reader, List<Frame> frames, Dictionary<string, string[]> errors, string what)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            errors[Path(frames, upToParent: reader.TokenType == JsonTokenType.PropertyName)] =
                [$"{what} is not valid UTF-8 text (or holds an unpaired UTF-16 surrogate)."];
            return null;
        }
    }

    private static void ValueDone(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private static string Path(List<Frame> frames, bool upToParent)
    {
        var path = new StringBuilder();
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (!(upToParent && i == frames.Count - 1) && frame.Property is { } property)
            {
                path.Append(path.Length == 0 ? "" : ".").Append(TextRules.IsBodyText(property) ? property : "?");
            }
        }
        return path.Length == 0 ? "$" : path.ToString();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Property { get; set; }
    }
}
