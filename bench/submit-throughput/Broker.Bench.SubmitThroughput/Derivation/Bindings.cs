using System.Globalization;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>What stands in the pgbench script where EF Core had a parameter.</summary>
internal abstract record Binding(string Name)
{
    /// <summary>Text in place of the <c>@parameter</c>; pgbench sends each <c>:variable</c> in it as a bound parameter.</summary>
    public abstract string Expression { get; }

    /// <summary>The <c>\set</c> line run at the start of every transaction, if any.</summary>
    public virtual string? Setup => null;

    /// <summary>A value passed with <c>-D name=value</c>, if any.</summary>
    public virtual string? Define => null;

    public abstract string Description { get; }
}

/// <summary>Bound the same value in every captured submit.</summary>
internal sealed record ConstantBinding(string Name, string Value, string? Note = null) : Binding(Name)
{
    public override string Expression => ":" + Name;
    public override string Define => Value;
    public override string Description => Note ?? "the same in every captured submit (-D)";
}

internal sealed record NullBinding() : Binding("NULL")
{
    public override string Expression => "NULL";
    public override string Description => "NULL in every captured submit";
}

/// <summary>Time stamps the API takes from its clock: the transaction's start, shared by its statements as the API shares one "now".</summary>
internal sealed record NowBinding(string Name) : Binding(Name)
{
    public override string Expression => "now()";
    public override string Description => "a time stamp that differed per submit: now()";
}

internal sealed record RandomIntegerBinding(string Name, long Min, long Max) : Binding(Name)
{
    public override string Expression => ":" + Name;
    public override string Setup => string.Create(CultureInfo.InvariantCulture, $"\\set {Name} random({Min}, {Max})");
    public override string Description => "an integer that differed per submit, random in the captured range";
}

/// <summary>Unique text of the captured length: a fixed prefix and 19 random digits.</summary>
internal sealed record RandomTextBinding(string Name, string Prefix) : Binding(Name)
{
    public const long Max = 999_999_999_999_999_999;

    public override string Expression => Prefix.Length == 0
        ? $"lpad(:{Name}::text, 19, '0')"
        : $"('{Prefix}' || lpad(:{Name}::text, 19, '0'))";

    public override string Setup => string.Create(CultureInfo.InvariantCulture, $"\\set {Name} random(1, {Max})");
    public override string Description => "text that differed per submit: unique per transaction";
}

/// <summary>
/// A uuid that differed per submit. Like Guid.CreateVersion7 it grows with time (the transaction's start), so inserts land
/// at the right edge of the index as the API's do; the random low half keeps it unique. Used only inside one transaction.
/// </summary>
internal sealed record TimeOrderedUuidBinding(string Name) : Binding(Name)
{
    public override string Expression =>
        $"(lpad(to_hex((extract(epoch FROM now()) * 1000000)::bigint), 16, '0') || lpad(to_hex(:{Name}::bigint), 16, '0'))::uuid";

    public override string Setup => string.Create(CultureInfo.InvariantCulture, $"\\set {Name} random(1, {long.MaxValue})");
    public override string Description => "a uuid that differed per submit: time-ordered like UUIDv7, unique per transaction";
}

/// <summary>A uuid shared by statements in different transactions, where now() would differ between them.</summary>
internal sealed record RandomUuidBinding(string Name) : Binding(Name)
{
    public override string Expression => $"md5(:{Name}::text)::uuid";
    public override string Setup => string.Create(CultureInfo.InvariantCulture, $"\\set {Name} random(1, {long.MaxValue})");
    public override string Description => "a uuid that differed per submit: random, unique per transaction";
}
