using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Broker.Core.Fleet;

namespace Broker.Api.Contracts;

/// <summary>An opaque keyset cursor over allocations: the creation time (ticks) and id of the last row on the page.</summary>
public static class FleetCursors
{
    private const string Version = "f1:";

    public static string Encode(FleetCursor c) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Version}{c.CreatedAt.UtcTicks}:{c.Id:N}")));

    public static bool TryDecode(string cursor, out FleetCursor? result)
    {
        result = null;
        if (cursor.Length > 96)
        {
            return false;
        }
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.StartsWith(Version, StringComparison.Ordinal) ? text[Version.Length..].Split(':') : [];
            if (parts is [var ticksText, var idText]
                && long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks > 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(idText, "N", out var id))
            {
                result = new FleetCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
