using System.Text;
using Broker.HostileInput.Json;

namespace Broker.HostileInput.Fuzzing;

/// <summary>Mutations of a JSON body: each changes one thing and names it in the draft's mutation list.</summary>
public static class BodyMutations
{
    private static readonly string[] UnknownNames = ["team", "state", "id", "cost", "createdAt", "__proto__", "constructor", "", "sequence", "nonce"];

    public static readonly IReadOnlyList<(string Name, int Weight, Action<Random, Draft> Apply)> All =
    [
        ("delete-field", 8, (r, d) => OnSlot(r, d, s => s.Remove())),
        ("swap-type", 8, (r, d) => OnSlot(r, d, s => s.Set(RandomValue(r)))),
        ("number-as-string", 6, (r, d) => OnSlot(r, d, s => s.Set(new JText(s.Value.ToJson())), s => s.Value is JRaw)),
        ("duplicate-key", 8, Duplicate),
        ("inject-string", 10, (r, d) => OnSlot(r, d, s => s.Set(new JText(Inject(r, s.Value is JText t ? t.Value : "x"))), s => s.Value is JText)),
        ("hostile-string", 8, (r, d) => OnSlot(r, d, s => s.Set(new JText(Pick(r, HostileValues.Strings).Value)))),
        ("overlong-string", 3, (r, d) => OnSlot(r, d, s => s.Set(new JText(new string('x', r.Next(200, 80_000)))), s => s.Value is JText)),
        ("boundary-number", 8, (r, d) => OnSlot(r, d, s => s.Set(new JRaw(Pick(r, HostileValues.Boundaries))), s => s.Value is JRaw)),
        ("breaking-number", 5, (r, d) => OnSlot(r, d, s => s.Set(new JRaw(Pick(r, HostileValues.IntegerBreakers).Raw)), s => s.Value is JRaw)),
        ("unknown-field", 4, UnknownField),
        ("hostile-key", 4, (r, d) => OnSlot(r, d, s => s.Property!.Name = Pick(r, HostileValues.Strings).Value, s => s.Property is not null)),
        ("deep-nesting", 2, (r, d) => OnSlot(r, d, s => s.Set(new JRaw(Nested(r.Next(10, 400))))) ),
        ("array-blowup", 2, (r, d) => OnSlot(r, d, s => Blow(r, (JArray)s.Value), s => s.Value is JArray { Items.Count: > 0 })),
        ("hostile-image", 4, (r, d) => SetTop(d, "image", new JText(Pick(r, HostileImages.All).Value))),
        ("truncate", 2, (r, d) => { var b = d.BodyBytes() ?? []; d.RawBody = b[..r.Next(0, Math.Max(1, b.Length))]; }),
        ("invalid-utf8", 2, InvalidUtf8),
        ("replace-body", 2, (r, d) => d.RawBody = Encoding.UTF8.GetBytes(Pick(r, (string[])["", "null", "[]", "1", "\"x\"", "{", "{}", "{\"a\":", "\uFEFF{}", "[{}]"]))),
    ];

    private static void OnSlot(Random r, Draft d, Action<JSlot> change, Func<JSlot, bool>? where = null)
    {
        if (d.Body is null || d.RawBody is not null)
        {
            return;
        }
        var slots = JSlot.All(d.Body).Where(where ?? (_ => true)).ToList();
        if (slots.Count > 0)
        {
            change(slots[r.Next(slots.Count)]);
        }
    }

    private static void SetTop(Draft d, string name, JNode value)
    {
        if (d.Body is JObject o && d.RawBody is null && o[name] is not null)
        {
            o[name] = value;
        }
    }

    /// <summary>Repeats a property of some object with another value: case-variant names too, since Broker binds case-insensitively.</summary>
    private static void Duplicate(Random r, Draft d) => OnSlot(r, d, s =>
    {
        var property = s.Property!;
        var copy = r.Next(4) switch
        {
            0 => property.Value.Clone(),
            1 => RandomValue(r),
            2 => property.Value is JRaw ? new JRaw(Pick(r, HostileValues.Boundaries)) : new JText(Pick(r, HostileValues.Strings).Value),
            _ => property.Value.Clone(),
        };
        var name = r.Next(4) == 0 ? char.ToUpperInvariant(property.Name.FirstOrDefault('x')) + property.Name[Math.Min(1, property.Name.Length)..] : property.Name;
        ((JObject)s.Parent).Properties.Add(new JProperty(name, copy));
    }, s => s.Property is not null);

    private static void UnknownField(Random r, Draft d)
    {
        if (d.Body is null || d.RawBody is not null)
        {
            return;
        }
        var objects = JSlot.All(d.Body).Select(s => s.Value).Prepend(d.Body).OfType<JObject>().ToList();
        if (objects.Count > 0)
        {
            objects[r.Next(objects.Count)].Properties.Add(new JProperty(Pick(r, UnknownNames), RandomValue(r)));
        }
    }

    private static void InvalidUtf8(Random r, Draft d)
    {
        var bytes = d.BodyBytes() ?? [];
        var at = r.Next(0, bytes.Length + 1);
        byte[] bad = Pick(r, (byte[][])[[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0x00]]);
        d.RawBody = [.. bytes[..at], .. bad, .. bytes[at..]];
    }

    private static void Blow(Random r, JArray array)
    {
        var target = r.Next(65, 300);
        var seed = array.Items[0];
        while (array.Items.Count < target)
        {
            array.Items.Add(seed.Clone());
        }
    }

    /// <summary>Hostile characters put before, inside or after an existing string.</summary>
    public static string Inject(Random r, string value)
    {
        var hostile = Pick(r, HostileValues.Strings).Value;
        hostile = hostile.Length > 64 ? hostile[..64] : hostile;
        var at = r.Next(value.Length + 1);
        return r.Next(3) switch
        {
            0 => hostile + value,
            1 => value[..at] + hostile + value[at..],
            _ => value + hostile,
        };
    }

    public static JNode RandomValue(Random r) => r.Next(10) switch
    {
        0 => new JText("x"),
        1 => new JText(Pick(r, HostileValues.Strings).Value),
        2 => new JRaw(Pick(r, HostileValues.Boundaries)),
        3 => new JRaw("true"),
        4 => new JRaw("null"),
        5 => new JObject([]),
        6 => new JArray([]),
        7 => new JArray([new JRaw("1"), new JText("a")]),
        8 => new JObject([new JProperty("a", new JRaw("1"))]),
        _ => new JRaw("false"),
    };

    private static string Nested(int depth) => string.Concat(Enumerable.Range(0, depth).Select(i => i % 2 == 0 ? "[" : "{\"a\":")) + "1"
        + string.Concat(Enumerable.Range(0, depth).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));

    public static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];
}
