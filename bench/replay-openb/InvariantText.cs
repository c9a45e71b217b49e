using System.Globalization;

namespace Broker.Bench.ReplayOpenb;

/// <summary>Headline lines and tables are read by scripts: numbers always in the invariant culture.</summary>
internal static class InvariantText
{
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
