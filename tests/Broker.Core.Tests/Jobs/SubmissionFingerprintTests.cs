using Broker.Core.Jobs;

namespace Broker.Core.Tests.Jobs;

public sealed class SubmissionFingerprintTests
{
    private static JobSubmission Sample(Dictionary<string, string> labels, int gpus = 2) => new(
        "train", gpus, ["H100-80GB"], 40, 8, 64, "img", ["python", "x.py"], TimeSpan.FromHours(1), null, 1, true,
        TimeSpan.FromMinutes(10), 2.5m, labels);

    [Fact]
    public void Label_order_does_not_change_the_fingerprint() =>
        Assert.Equal(
            SubmissionFingerprint.Of(Sample(new() { ["a"] = "1", ["b"] = "2" })),
            SubmissionFingerprint.Of(Sample(new() { ["b"] = "2", ["a"] = "1" })));

    [Fact]
    public void Any_field_change_changes_the_fingerprint()
    {
        var baseline = SubmissionFingerprint.Of(Sample([]));
        Assert.NotEqual(baseline, SubmissionFingerprint.Of(Sample([], gpus: 3)));
        Assert.NotEqual(baseline, SubmissionFingerprint.Of(Sample([]) with { Command = ["python", "y.py"] }));
        Assert.NotEqual(baseline, SubmissionFingerprint.Of(Sample([]) with { Command = ["python x.py"] }));
    }
}
