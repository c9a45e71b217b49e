using System.Net;

namespace Broker.Providers.Slurm.Rest;

/// <summary>Classifies a failed slurmrestd answer by HTTP status and the Slurm error numbers in its <c>errors</c> list.</summary>
internal static class SlurmErrorClassifier
{
    private const int InvalidJobId = 2017;
    private const int AlreadyDone = 2021;
    private const int JobFinished = 2084;
    private const int InvalidNodeName = 2018;
    private const int AccessDenied = 2002;
    private const int UserIdMissing = 2010;
    private const int ProtocolAuthenticationError = 1007;
    private const int RestAuthFail = 9008;

    public static SlurmFailureKind Classify(HttpStatusCode status, IReadOnlyList<SlurmError> errors)
    {
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return SlurmFailureKind.AuthRejected;
        }
        var numbers = errors.Select(e => e.Number).OfType<int>().ToList();
        if (numbers.Any(IsAuthError))
        {
            return SlurmFailureKind.AuthRejected;
        }
        if (numbers.Any(n => n is InvalidJobId or AlreadyDone or JobFinished or InvalidNodeName))
        {
            return SlurmFailureKind.NotFound;
        }
        // 2000+ are slurmctld's verdicts on the request itself; -1 and 1000-1999 are communication failures.
        if (numbers.Any(n => n >= 2000))
        {
            return SlurmFailureKind.Rejected;
        }
        return (int)status is >= 400 and < 500 ? SlurmFailureKind.Rejected : SlurmFailureKind.Unreachable;
    }

    private static bool IsAuthError(int n) =>
        n is AccessDenied or UserIdMissing or ProtocolAuthenticationError or RestAuthFail or (>= 6000 and < 7000);

    /// <summary>
    /// With <c>SLURM_JWT=daemon</c> slurmrestd passes the token on; when slurmctld refuses it the answer is HTTP 500 with
    /// only "Unspecified error" (-1), exactly as when slurmctld is down. Such answers are reported with both causes.
    /// </summary>
    public static bool IsAmbiguousRejection(IReadOnlyList<SlurmError> errors) =>
        errors.Count > 0 && errors.All(e => e.Number == -1);

    public static string Describe(IReadOnlyList<SlurmError> errors) =>
        errors.Count == 0
            ? "no Slurm error details"
            : string.Join("; ", errors.Select(e => $"{e.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} {e.Error}"
                + (string.IsNullOrEmpty(e.Description) ? "" : $" ({e.Description})")));
}
