using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Broker.Api.Contracts;

/// <summary>An opaque keyset cursor: a version prefix (one per list, e.g. <c>j1:</c>) and the last key on the page, base64url.</summary>
public static class KeysetCursor
{
    public static string Encode(string version, long key) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(version + key.ToString(CultureInfo.InvariantCulture)));

    /// <summary>False for anything this API did not hand out (wrong version, not a positive number, too long, not base64url).</summary>
    public static bool TryDecode(string version, string cursor, out long key)
    {
        key = 0;
        if (cursor.Length > 64)
        {
            return false;
        }
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(version, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(version.Length), NumberStyles.None, CultureInfo.InvariantCulture, out key) && key > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
