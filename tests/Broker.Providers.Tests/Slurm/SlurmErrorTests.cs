using System.Net;
using System.Text;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmErrorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static SlurmError Error(int number, string text = "x") => new(text, number, null, null, null);

    [Fact]
    public void Http_401_and_403_are_credential_rejections()
    {
        Assert.Equal(SlurmFailureKind.AuthRejected, SlurmErrorClassifier.Classify(HttpStatusCode.Unauthorized, []));
        Assert.Equal(SlurmFailureKind.AuthRejected, SlurmErrorClassifier.Classify(HttpStatusCode.Forbidden, []));
    }

    [Theory]
    [InlineData(2017, "NotFound")]
    [InlineData(2021, "NotFound")]
    [InlineData(2072, "Rejected")]
    [InlineData(2002, "AuthRejected")]
    [InlineData(6001, "AuthRejected")]
    [InlineData(1001, "Unreachable")]
    [InlineData(-1, "Unreachable")]
    public void Slurm_error_numbers_are_classified(int number, string kind) =>
        Assert.Equal(Enum.Parse<SlurmFailureKind>(kind), SlurmErrorClassifier.Classify(HttpStatusCode.InternalServerError, [Error(number)]));

    [Fact]
    public void Only_unspecified_errors_are_an_ambiguous_rejection()
    {
        Assert.True(SlurmErrorClassifier.IsAmbiguousRejection([new SlurmError("Unspecified error", null, -1, null, null)]));
        Assert.False(SlurmErrorClassifier.IsAmbiguousRejection([Error(2017)]));
        Assert.False(SlurmErrorClassifier.IsAmbiguousRejection([]));
    }

    private static string Jwt(string claims) =>
        "eyJhbGciOiJIUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".sig";

    [Fact]
    public void Token_check_explains_expired_foreign_and_malformed_tokens()
    {
        Assert.Contains("expired", SlurmTokenCheck.FindProblem(Jwt("{\"exp\":1799999999,\"sun\":\"root\"}"), "root", Now), StringComparison.Ordinal);
        Assert.Contains("'alice'", SlurmTokenCheck.FindProblem(Jwt("{\"exp\":1900000000,\"sun\":\"alice\"}"), "root", Now), StringComparison.Ordinal);
        Assert.Contains("not a JWT", SlurmTokenCheck.FindProblem("secret", "root", Now), StringComparison.Ordinal);
        Assert.Contains("no Slurm token", SlurmTokenCheck.FindProblem("", "root", Now), StringComparison.Ordinal);
        Assert.Null(SlurmTokenCheck.FindProblem(Jwt("{\"exp\":1900000000,\"sun\":\"root\"}"), "root", Now));
    }
}
