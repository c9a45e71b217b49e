using Broker.HostileInput;
using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// <c>POST /v1/jobs</c>: each field of a valid submission × a small table of hostile values for its kind, all 400.
/// Pattern fields (name, image, GPU model, label key) refuse every hostile string; free-text fields (command arguments,
/// label values) refuse what cannot be stored or is too long; numbers refuse breakers, wrong types and numbers as strings.
/// </summary>
public static class SubmitFieldCases
{
    private static readonly string[] PatternFields = ["name", "image", "gpu.models[0]"];

    private static readonly (string Path, bool EmptyRefused)[] FreeTextFields = [("command[0]", true), ("labels.project", false)];

    private static readonly (string Path, int Min, int Max, bool Nullable)[] IntegerFields =
    [
        ("gpu.count", 1, 64, false), ("gpu.minMemoryGb", 1, 1024, true), ("cpuCores", 1, 1024, false), ("memoryGb", 1, 16384, false),
        ("estimatedDurationMinutes", 1, 43200, false), ("priority", 0, 100, false), ("spot.checkpointIntervalMinutes", 1, 1440, true),
    ];

    private static readonly (string Name, string Json)[] NotNumbers =
        [("number as a string", "\"16\""), ("empty string", "\"\""), ("boolean", "true"), ("object", "{}"), ("array", "[1]")];

    public static IEnumerable<HostileCase> All()
    {
        foreach (var field in PatternFields)
        {
            foreach (var value in HostileValues.Strings)
            {
                yield return Case($"{field} {value.Name}", field, new JText(value.Value));
            }
        }
        foreach (var value in HostileValues.Strings)
        {
            yield return Case($"label key {value.Name}", "labels", new JObject([new(value.Value, new JText("v"))]));
        }
        foreach (var (field, emptyRefused) in FreeTextFields)
        {
            foreach (var value in HostileValues.Strings.Where(v => v.Kind is StringKind.Nul or StringKind.LoneSurrogate or StringKind.Overlong
                || (v.Kind == StringKind.Empty && emptyRefused)))
            {
                yield return Case($"{field} {value.Name}", field, new JText(value.Value));
            }
        }
        foreach (var (field, min, max, nullable) in IntegerFields)
        {
            foreach (var number in HostileValues.IntegerBreakers)
            {
                yield return Case($"{field} {number.Name}", field, new JRaw(number.Raw));
            }
            yield return Case($"{field} below its minimum", field, JNode.Number(min - 1));
            yield return Case($"{field} above its maximum", field, JNode.Number(max + 1));
            foreach (var (name, json) in NotNumbers.Concat(nullable ? [] : [("null", "null")]))
            {
                yield return Case($"{field} {name}", field, new JRaw(json));
            }
        }
        foreach (var number in HostileValues.PriceBreakers)
        {
            yield return Case($"maxPricePerGpuHour {number.Name}", "maxPricePerGpuHour", new JRaw(number.Raw));
        }
        foreach (var (name, json) in NotNumbers)
        {
            yield return Case($"maxPricePerGpuHour {name}", "maxPricePerGpuHour", new JRaw(json));
        }
        foreach (var json in new[] { "\"true\"", "1", "0", "null", "\"yes\"", "{}", "[]" })
        {
            yield return Case($"spot.allowed {json}", "spot.allowed", new JRaw(json));
        }
        foreach (var (name, json) in Deadlines)
        {
            yield return Case($"deadline {name}", "deadline", new JRaw(json));
        }
        foreach (var (field, name, json) in Containers)
        {
            yield return Case($"{field} {name}", field, new JRaw(json));
        }
        foreach (var (name, value) in HostileImages.All)
        {
            yield return Case($"image reference {name}", "image", new JText(value));
        }
    }

    private static readonly (string Name, string Json)[] Deadlines =
    [
        ("a word", "\"tomorrow\""), ("month 13", "\"2026-13-45T00:00:00Z\""), ("year 1", "\"0001-01-01T00:00:00Z\""),
        ("in the past", "\"2020-01-01T00:00:00Z\""), ("epoch seconds", "1700000000"), ("empty", "\"\""),
        ("offset out of range", "\"2030-01-01T00:00:00+25:00\""), ("beyond year 9999", "\"+275760-09-13T00:00:00Z\""),
        ("NUL after the time", "\"2030-01-01T00:00:00Z\\u0000\""), ("boolean", "true"), ("object", "{}"), ("array", "[]"),
    ];

    private static readonly (string Field, string Name, string Json)[] Containers =
    [
        ("gpu", "string", "\"h100\""), ("gpu", "number", "1"), ("gpu", "boolean", "true"), ("gpu", "array", "[]"), ("gpu", "null", "null"),
        ("gpu", "empty object", "{}"),
        ("spot", "string", "\"yes\""), ("spot", "number", "1"), ("spot", "boolean", "true"), ("spot", "array", "[]"),
        ("labels", "string", "\"project=vision\""), ("labels", "number", "1"), ("labels", "array", "[\"a\"]"),
        ("labels", "number value", "{\"project\":1}"), ("labels", "null value", "{\"project\":null}"),
        ("labels", "object value", "{\"project\":{}}"), ("labels", "array value", "{\"project\":[\"a\"]}"),
        ("labels", "33 labels", "{" + string.Join(',', Enumerable.Range(0, 33).Select(i => $"\"k{i}\":\"v\"")) + "}"),
        ("labels", "nested 100 deep", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100)),
        ("command", "string", "\"python train.py\""), ("command", "object", "{}"), ("command", "number", "1"), ("command", "null", "null"),
        ("command", "empty", "[]"), ("command", "number item", "[1]"), ("command", "null item", "[null]"), ("command", "nested array", "[[\"x\"]]"),
        ("command", "65 items", "[" + string.Join(',', Enumerable.Repeat("\"x\"", 65)) + "]"), ("command", "boolean item", "[true]"),
        ("gpu.models", "string", "\"h100\""), ("gpu.models", "object", "{}"), ("gpu.models", "number item", "[1]"),
        ("gpu.models", "null item", "[null]"), ("gpu.models", "17 items", "[" + string.Join(',', Enumerable.Repeat("\"h100\"", 17)) + "]"),
        ("gpu.models", "nested array", "[[\"h100\"]]"),
    ];

    private static HostileCase Case(string name, string path, JNode value) =>
        SubmitShapeCases.Submit(name, () => ValidBodies.Job().With(path, value));
}
