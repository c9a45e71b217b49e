namespace Broker.Api.Input;

/// <summary>
/// Which characters user text may hold. PostgreSQL cannot store U+0000 in text, and control characters have no business in
/// names, ids, labels, filters or headers (they forge log lines and terminal output), so:
/// <list type="bullet">
/// <item>JSON body strings (any field, any depth, and object keys): no U+0000 and no other control character (C0, DEL, C1)
/// except tab, line feed and carriage return, which command arguments and scripts may need.</item>
/// <item>Single-line text (job and key names, label keys and values, query parameters, route values, headers Broker reads):
/// no control character at all, and no bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069) that would make a
/// name display as something else.</item>
/// </list>
/// Unpaired UTF-16 surrogates never get this far: the JSON reader refuses them, and query strings are decoded as UTF-8.
/// </summary>
public static class TextRules
{
    public const string BodyRule = "Text may not contain U+0000 or control characters other than tab, line feed and carriage return.";
    public const string SingleLineRule = "Text may not contain control characters (including U+0000, tab and line breaks) or bidirectional overrides.";

    public static bool IsBodyText(string value) => !value.AsSpan().ContainsAny(BodyForbidden);

    public static bool IsSingleLine(string value) => !value.AsSpan().ContainsAny(SingleLineForbidden);

    private static readonly System.Buffers.SearchValues<char> BodyForbidden = System.Buffers.SearchValues.Create(
        [.. Range('\u0000', '\u001f').Where(c => c is not ('\t' or '\n' or '\r')), .. Range('\u007f', '\u009f')]);

    private static readonly System.Buffers.SearchValues<char> SingleLineForbidden = System.Buffers.SearchValues.Create(
        [.. Range('\u0000', '\u001f'), .. Range('\u007f', '\u009f'), .. Range('\u202a', '\u202e'), .. Range('\u2066', '\u2069')]);

    private static IEnumerable<char> Range(char first, char last) => Enumerable.Range(first, last - first + 1).Select(i => (char)i);
}
