using System.Text;

namespace Broker.Core.Prediction;

/// <summary>
/// What makes two submissions "the same job" for runtime prediction: the job name with every run of digits replaced by
/// '#' (so train-run-41 and train-run-42 match) and the image repository without tag or digest (so a new build of the
/// same image still matches). Arguments are left out: they change from run to run far more often than the runtime does.
/// </summary>
public static class JobSignature
{
    public static string Of(string name, string image)
    {
        var text = new StringBuilder(name.Length + image.Length + 1);
        var inDigits = false;
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiDigit(c))
            {
                if (!inDigits)
                {
                    text.Append('#');
                }
                inDigits = true;
                continue;
            }
            inDigits = false;
            text.Append(c);
        }
        return text.Append('|').Append(Repository(image)).ToString();
    }

    private static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var repo = at >= 0 ? image[..at] : image;
        var slash = repo.LastIndexOf('/');
        var colon = repo.LastIndexOf(':');
        return (colon > slash ? repo[..colon] : repo).Trim().ToLowerInvariant();
    }
}
