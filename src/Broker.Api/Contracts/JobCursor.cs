namespace Broker.Api.Contracts;

/// <summary>An opaque keyset cursor: the sequence number of the last job on the page.</summary>
public static class JobCursor
{
    private const string Version = "j1:";

    public static string Encode(long seq) => KeysetCursor.Encode(Version, seq);

    public static bool TryDecode(string cursor, out long seq) => KeysetCursor.TryDecode(Version, cursor, out seq);
}
