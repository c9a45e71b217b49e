using System.Globalization;

namespace Broker.Core.OnPrem;

/// <summary>
/// User ids from a passwd file (<c>/etc/passwd</c>): enough to catch a "team user" that is root under another name on the
/// host Broker runs on. Users only a directory service knows are not seen here; the name checks still apply to them.
/// </summary>
public static class PasswdFile
{
    public const string DefaultPath = "/etc/passwd";

    public static Func<string, int?> Lookup(string path = DefaultPath)
    {
        var uids = Read(path);
        return user => uids.TryGetValue(user, out var uid) ? uid : null;
    }

    public static IReadOnlyDictionary<string, int> Read(string path)
    {
        var uids = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return uids;
        }
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0].Length > 0 && !line.StartsWith('#')
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                uids.TryAdd(fields[0], uid);
            }
        }
        return uids;
    }
}
