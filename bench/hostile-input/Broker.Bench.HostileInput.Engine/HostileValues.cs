namespace Broker.HostileInput;

/// <summary>What makes a hostile string hostile; each field decides which kinds it must refuse.</summary>
public enum StringKind
{
    /// <summary>Contains U+0000, which PostgreSQL cannot store in text: refused everywhere (issue 9).</summary>
    Nul,
    /// <summary>A lone UTF-16 surrogate: not Unicode text, not encodable as UTF-8.</summary>
    LoneSurrogate,
    /// <summary>C0 controls, DEL, escape sequences and newlines.</summary>
    Control,
    /// <summary>Valid Unicode outside ASCII: look-alikes, direction overrides, zero-width and combining characters.</summary>
    Unicode,
    /// <summary>Shell, SQL, markup, format strings, option-looking and path-looking text.</summary>
    Injection,
    /// <summary>Longer than any field of the API allows (10,000 characters).</summary>
    Overlong,
    Empty,
    /// <summary>Only whitespace.</summary>
    Blank,
}

public sealed record HostileString(string Name, string Value, StringKind Kind);

public sealed record HostileNumber(string Name, string Raw);

/// <summary>The catalogue of hostile values, shared by the hostile-input table (API tests) and the fuzz run (bench).</summary>
public static class HostileValues
{
    public static readonly IReadOnlyList<HostileString> Strings =
    [
        new("nul-inside", "a\0b", StringKind.Nul),
        new("nul-only", "\0", StringKind.Nul),
        new("nul-trailing", "train\0", StringKind.Nul),
        new("lone-high-surrogate", "a\ud800b", StringKind.LoneSurrogate),
        new("lone-low-surrogate", "\udc00", StringKind.LoneSurrogate),
        new("control-soh", "a\u0001b", StringKind.Control),
        new("ansi-escape", "\u001b[31mred", StringKind.Control),
        new("newline-inside", "a\nb", StringKind.Control),
        new("newline-trailing", "train\n", StringKind.Control),
        new("crlf-header-injection", "a\r\nX-Injected: 1", StringKind.Control),
        new("tab", "a\tb", StringKind.Control),
        new("del", "a\u007fb", StringKind.Control),
        new("bom", "\ufefftrain", StringKind.Unicode),
        new("rtl-override", "abc\u202etxt.exe", StringKind.Unicode),
        new("zero-width-space", "tr\u200bain", StringKind.Unicode),
        new("emoji", "gpu\U0001F680", StringKind.Unicode),
        new("fullwidth", "\uff54\uff52\uff41\uff49\uff4e", StringKind.Unicode),
        new("cyrillic-homoglyph", "tr\u0430in", StringKind.Unicode),
        new("combining-accent", "e\u0301", StringKind.Unicode),
        new("noncharacter", "a\uffffb", StringKind.Unicode),
        new("shell-substitution", "$(id)", StringKind.Injection),
        new("backticks", "`id`", StringKind.Injection),
        new("shell-chain", "x; cat /etc/passwd", StringKind.Injection),
        new("dash-option", "-it", StringKind.Injection),
        new("double-dash-option", "--privileged", StringKind.Injection),
        new("path-traversal", "../../etc/passwd", StringKind.Injection),
        new("sql-quote", "x' OR '1'='1", StringKind.Injection),
        new("markup", "<script>alert(1)</script>", StringKind.Injection),
        new("percent-encoded-nul", "%00", StringKind.Injection),
        new("format-string", "{0}%s%n", StringKind.Injection),
        new("overlong", new string('a', 10_000), StringKind.Overlong),
        new("overlong-unicode", string.Concat(Enumerable.Repeat("\u00e9", 10_000)), StringKind.Overlong),
        new("empty", "", StringKind.Empty),
        new("blank", "   ", StringKind.Blank),
    ];

    /// <summary>Number-looking text that is not a JSON number (declared first: the lists below include it).</summary>
    public static readonly IReadOnlyList<HostileNumber> BrokenNumerals =
    [
        new("nan", "NaN"),
        new("infinity", "Infinity"),
        new("hex", "0x10"),
        new("leading-zero", "01"),
        new("leading-plus", "+1"),
        new("trailing-dot", "1."),
        new("leading-dot", ".5"),
        new("dangling-exponent", "1e"),
    ];

    /// <summary>Numbers no integer field of the API accepts: outside every range, fractional, overflowing, or not JSON at all.</summary>
    public static readonly IReadOnlyList<HostileNumber> IntegerBreakers =
    [
        new("negative", "-1"),
        new("fraction", "1.5"),
        new("exponent", "1e2"),
        new("huge-exponent", "1e300"),
        new("negative-huge-exponent", "-1e300"),
        new("int-max-plus-one", "2147483648"),
        new("int-min-minus-one", "-2147483649"),
        new("twenty-digits", "99999999999999999999"),
        new("long-max-plus-one", "9223372036854775808"),
        .. BrokenNumerals,
    ];

    /// <summary>Numbers a price of 0 to 1000 per GPU-hour must refuse.</summary>
    public static readonly IReadOnlyList<HostileNumber> PriceBreakers =
    [
        new("negative", "-1"),
        new("tiny-negative", "-0.000001"),
        new("just-over-max", "1000.000001"),
        new("huge-exponent", "1e300"),
        new("negative-huge-exponent", "-1e300"),
        new("decimal-overflow", "1e29"),
        new("twenty-digits", "99999999999999999999"),
        .. BrokenNumerals,
    ];

    /// <summary>Boundary numbers the fuzz run picks from (valid and invalid alike).</summary>
    public static readonly IReadOnlyList<string> Boundaries =
        ["0", "-0", "1", "-1", "63", "64", "65", "100", "101", "1024", "1025", "16384", "16385", "43200", "43201", "2147483647",
         "2147483648", "-2147483648", "9223372036854775807", "1e300", "1.5", "0.000001", "1000", "1000.000001", "1e29"];
}

/// <summary>Image references the OCI grammar refuses (issue 9: "-it" was accepted and then failed in the boot script forever).</summary>
public static class HostileImages
{
    public static readonly IReadOnlyList<(string Name, string Value)> All =
    [
        ("dash-option", "-it"),
        ("shell-substitution", "$(id)"),
        ("upper-case-path", "UPPER/case"),
        ("space", "a b"),
        ("empty-tag", "ghcr.io/acme/train:"),
        ("tag-only", ":latest"),
        ("double-slash", "ghcr.io//train"),
        ("trailing-slash", "ghcr.io/acme/"),
        ("two-tags", "train:1:2"),
        ("url-scheme", "https://ghcr.io/acme/train"),
        ("bad-digest", "train@sha256:xyz"),
        ("short-digest", "train@sha256:abc123"),
        ("overlong-tag", "train:" + new string('t', 129)),
        ("overlong-name", new string('a', 256)),
        ("tag-with-slash", "train:1.4/x"),
        ("leading-separator", "_train"),
        ("trailing-separator", "train-"),
        ("semicolon", "train;reboot"),
        ("newline", "train\nFROM evil"),
        ("unicode-letter", "tr\u00e4in"),
    ];
}
