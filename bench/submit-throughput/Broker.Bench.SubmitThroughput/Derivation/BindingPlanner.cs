using System.Globalization;
using System.Text;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>
/// Decides what each parameter becomes in the pgbench script, from the values the captured submits bound to it:
/// a value that was the same every time stays that value; parameters whose values moved together (the job's id in the
/// job, its event and its labels; the Idempotency-Key in the lookup and in the insert) share one variable; a moving value
/// is randomized per transaction by its type, so unique keys never collide and lookups miss or hit as they did.
/// </summary>
internal static class BindingPlanner
{
    public static IReadOnlyDictionary<(int Statement, string Parameter), Binding> Plan(
        SubmitShape shape, IReadOnlyList<IReadOnlyDictionary<(int Statement, string Parameter), string?>> submits)
    {
        if (submits.Count < 2)
        {
            throw new InvalidDataException("At least two captured submits are needed to tell constant values from per-submit ones.");
        }
        var names = new HashSet<string>(["client_id", "default_seed", "random_seed", "scale"], StringComparer.Ordinal);
        var constants = new Dictionary<(string Hint, string Value), Binding>();
        var moving = new Dictionary<string, Binding>(StringComparer.Ordinal);
        var bindings = new Dictionary<(int, string), Binding>();
        var statements = shape.Statements.ToList();
        foreach (var statement in statements)
        {
            foreach (var parameter in statement.Parameters)
            {
                var values = submits.Select(s => s[(statement.Index, parameter)]).ToList();
                var hint = statement.Hints.GetValueOrDefault(parameter, parameter);
                bindings[(statement.Index, parameter)] = values.Distinct().Count() == 1
                    ? values[0] is { } value
                        ? Remember(constants, (hint, value), () => new ConstantBinding(Unique(names, hint), value))
                        : new NullBinding()
                    : Remember(moving, Key(values), () => Moving(Unique(names, hint), statement.DbTypes.GetValueOrDefault(parameter), values,
                        SharedAcrossTransactions(statements, submits, values)));
            }
        }
        return bindings;
    }

    private static Binding Moving(string name, string? dbType, List<string?> values, bool acrossTransactions)
    {
        var present = values.OfType<string>().ToList();
        switch (dbType)
        {
            case "Guid" when present.All(v => Guid.TryParse(v, out _)):
                return acrossTransactions ? new RandomUuidBinding(name) : new TimeOrderedUuidBinding(name);
            case "DateTime" or "DateTime2" or "DateTimeOffset":
                return new NowBinding(name);
            case "Int16" or "Int32" or "Int64" or "Byte" when present.All(v => long.TryParse(v, CultureInfo.InvariantCulture, out _)):
                var numbers = present.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList();
                return new RandomIntegerBinding(name, numbers.Min(), numbers.Max());
            case null or "String" or "AnsiString" or "StringFixedLength" or "AnsiStringFixedLength":
                return new RandomTextBinding(name, Prefix(present));
            default:
                return new ConstantBinding(name, present.FirstOrDefault() ?? "",
                    $"a {dbType} that differed per submit, held at the first captured value (-D)");
        }
    }

    /// <summary>
    /// The common start of the captured values, cut (or padded with 'x') so that prefix and 19 random digits are as long
    /// as the longest value; only characters that need no quoting in SQL or pgbench are kept.
    /// </summary>
    internal static string Prefix(IReadOnlyList<string> values)
    {
        var longest = values.Count == 0 ? 0 : values.Max(v => v.Length);
        var length = Math.Max(0, longest - 19);
        var common = values.Count == 0 ? "" : values.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(p => p.First == p.Second).Count()]);
        var prefix = new StringBuilder(length);
        foreach (var c in common.Take(length))
        {
            prefix.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }
        return prefix.ToString().PadRight(length, 'x');
    }

    private static bool SharedAcrossTransactions(
        List<ShapeStatement> statements, IReadOnlyList<IReadOnlyDictionary<(int Statement, string Parameter), string?>> submits, List<string?> values) =>
        statements.Where(s => s.Parameters.Any(p => submits.Select(v => v[(s.Index, p)]).SequenceEqual(values)))
            .Select(s => s.Transaction).Distinct().Count() > 1;

    private static string Key(List<string?> values) => string.Join('\u001f', values.Select(v => v ?? "\0"));

    private static Binding Remember<TKey>(Dictionary<TKey, Binding> seen, TKey key, Func<Binding> create) where TKey : notnull
    {
        if (!seen.TryGetValue(key, out var binding))
        {
            binding = create();
            seen[key] = binding;
        }
        return binding;
    }

    private static string Unique(HashSet<string> taken, string hint)
    {
        var name = new string([.. hint.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        name = name.Length > 0 && char.IsAsciiLetter(name[0]) ? name : "v_" + name;
        var unique = name;
        for (var n = 2; !taken.Add(unique); n++)
        {
            unique = string.Create(CultureInfo.InvariantCulture, $"{name}_{n}");
        }
        return unique;
    }
}
