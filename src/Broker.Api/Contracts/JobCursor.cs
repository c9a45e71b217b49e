using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Broker.Api.Contracts;

/// <summary>An opaque keyset cursor: the sequence number of the last job on the page.</summary>
public static class JobCursor
{
    private const string Version = "j1:";

    public static string Encode(long seq) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(Version + seq.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string cursor, out long seq)
    {
        seq = 0;
        if (cursor.Length > 64)
        {
            return false;
        }
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(Version, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(Version.Length), NumberStyles.None, CultureInfo.InvariantCulture, out seq)
                && seq > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
