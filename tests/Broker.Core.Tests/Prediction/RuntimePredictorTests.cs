using Broker.Core.Prediction;

namespace Broker.Core.Tests.Prediction;

public sealed class RuntimePredictorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A synthetic history with a known pattern: team "vision" runs "train" jobs that take about a quarter of what they
    /// ask for and "eval" jobs that take about 5%; team "nlp" asks for about what it uses (90%). Noise is ±10%.
    /// </summary>
    private static RuntimeObservation Synthetic(int i)
    {
        var noise = 0.9 + 0.2 * ((i * 7919) % 101 / 100.0);
        var (team, signature, ratio) = (i % 3) switch
        {
            0 => ("vision", "train-#|registry/vision", 0.25),
            1 => ("vision", "eval-#|registry/vision", 0.05),
            _ => ("nlp", "finetune|registry/nlp", 0.9),
        };
        var requested = TimeSpan.FromHours(1 + i % 5 * 3);
        var actual = TimeSpan.FromSeconds(Math.Min(requested.TotalSeconds, requested.TotalSeconds * ratio * noise));
        return new RuntimeObservation(team, signature, 1 + i % 2, requested, actual, T0.AddMinutes(i));
    }

    private static double MedianRelativeError(RuntimeStatistics statistics, IEnumerable<RuntimeObservation> holdout)
    {
        var errors = holdout.Select(o =>
        {
            var p = RuntimePredictor.Predict(statistics, new RuntimeQuery(o.Team, o.Signature, o.Gpus, o.Requested));
            return Math.Abs((p.Median - o.Actual) / o.Actual);
        }).Order().ToArray();
        return errors[errors.Length / 2];
    }

    [Fact]
    public void Predictions_improve_as_the_history_of_a_known_pattern_grows()
    {
        var holdout = Enumerable.Range(10_000, 300).Select(Synthetic).ToArray();
        var errors = new[] { 0, 3, 15, 60, 300 }
            .Select(n => MedianRelativeError(RuntimeLearner.Train(Enumerable.Range(0, n).Select(Synthetic)), holdout))
            .ToArray();

        Assert.True(errors[0] > 1.0, $"with no history the prediction is the user's estimate: error {errors[0]}");
        for (var i = 1; i < errors.Length; i++)
        {
            Assert.True(errors[i] < errors[i - 1], $"error did not fall from {errors[i - 1]} to {errors[i]} at step {i}");
        }
        Assert.True(errors[^1] < 0.15, $"after 300 jobs the median relative error is {errors[^1]}");
    }

    [Fact]
    public void The_interval_covers_about_its_nominal_share_once_the_history_is_large()
    {
        var statistics = RuntimeLearner.Train(Enumerable.Range(0, 600).Select(Synthetic));
        var holdout = Enumerable.Range(20_000, 600).Select(Synthetic).ToArray();

        var inside = holdout.Count(o =>
        {
            var p = RuntimePredictor.Predict(statistics, new RuntimeQuery(o.Team, o.Signature, o.Gpus, o.Requested));
            return p.Low <= o.Actual && o.Actual <= p.High;
        }) / (double)holdout.Length;

        Assert.InRange(inside, 0.65, 0.95);
    }

    [Fact]
    public void No_history_predicts_exactly_the_users_estimate()
    {
        var p = RuntimePredictor.Predict(RuntimeStatistics.Empty, new RuntimeQuery("t", "s", 1, TimeSpan.FromHours(5)));

        Assert.Equal(TimeSpan.FromHours(5), p.Median);
        Assert.Equal(TimeSpan.FromHours(5), p.Low);
        Assert.Contains("no history", p.Basis);
    }

    [Fact]
    public void A_group_with_few_jobs_is_shrunk_towards_its_team()
    {
        var history = Enumerable.Range(0, 200).Select(i => new RuntimeObservation("vision", "train|img", 1, TimeSpan.FromHours(10),
            TimeSpan.FromHours(5), T0.AddMinutes(i))).Append(new RuntimeObservation("vision", "odd|img", 1, TimeSpan.FromHours(10),
            TimeSpan.FromHours(1), T0));
        var statistics = RuntimeLearner.Train(history);

        var odd = RuntimePredictor.Predict(statistics, new RuntimeQuery("vision", "odd|img", 1, TimeSpan.FromHours(10))).Median;

        Assert.InRange(odd.TotalHours, 1.5, 4.9);
    }

    public static TheoryData<double, double, double> Queries => new()
    {
        // requested hours, progress hours, learned ratio
        { 10, 0, 0.2 },
        { 10, 3, 0.2 },
        { 10, 9.5, 0.2 },
        { 10, 12, 0.2 },
        { 10, 0, 1.0 },
        { 0.5, 0.4, 0.01 },
        { 100, 99.99, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void A_prediction_is_never_above_the_users_limit_nor_below_the_work_already_done(double requestedH, double progressH, double ratio)
    {
        var history = Enumerable.Range(0, 50).Select(i => new RuntimeObservation("t", "s", 1, TimeSpan.FromHours(requestedH),
            TimeSpan.FromHours(requestedH * ratio * (0.5 + i / 50.0)), T0));
        var statistics = RuntimeLearner.Train(history);
        var requested = TimeSpan.FromHours(requestedH);
        var progress = TimeSpan.FromHours(progressH);

        var p = RuntimePredictor.Predict(statistics, new RuntimeQuery("t", "s", 1, requested, progress));

        var floor = progress < requested ? progress : requested;
        foreach (var t in new[] { p.Low, p.Median, p.High })
        {
            Assert.InRange(t, floor, requested);
        }
        Assert.True(p.Low <= p.Median && p.Median <= p.High);
    }

    [Fact]
    public void A_job_that_has_run_past_its_predicted_median_is_predicted_to_run_longer_not_to_have_ended()
    {
        var history = Enumerable.Range(0, 100).Select(i => new RuntimeObservation("t", "s", 1, TimeSpan.FromHours(10),
            TimeSpan.FromHours(1 + i * 0.05), T0));
        var statistics = RuntimeLearner.Train(history);
        var fresh = RuntimePredictor.Predict(statistics, new RuntimeQuery("t", "s", 1, TimeSpan.FromHours(10)));

        var running = RuntimePredictor.Predict(statistics, new RuntimeQuery("t", "s", 1, TimeSpan.FromHours(10), fresh.High));

        Assert.True(running.Median > fresh.High, $"{running.Median} should exceed the work done ({fresh.High})");
        Assert.True(running.Median <= TimeSpan.FromHours(10));
    }

    [Fact]
    public void A_running_jobs_expected_end_is_never_before_now_nor_after_its_limit()
    {
        var history = Enumerable.Range(0, 100).Select(i => new RuntimeObservation("t", JobSignature.Of("job", "img"), 1,
            TimeSpan.FromHours(10), TimeSpan.FromHours(2), T0));
        var statistics = RuntimeLearner.Train(history);
        var started = T0;

        foreach (var hours in new[] { 0.5, 1.9, 2.5, 7, 9.99, 11 })
        {
            var now = started.AddHours(hours);
            var end = RuntimePredictions.ExpectedEnd(statistics, "t", "job", "img", 1, TimeSpan.FromHours(10), TimeSpan.Zero, started, now);

            Assert.True(end >= now, $"at {hours} h the expected end {end} is in the past");
            Assert.True(end <= started.AddHours(Math.Max(10, hours)), $"at {hours} h the expected end {end} is past the limit");
        }
        var early = RuntimePredictions.ExpectedEnd(statistics, "t", "job", "img", 1, TimeSpan.FromHours(10), TimeSpan.Zero, started, started.AddHours(0.5));
        Assert.True(early < started.AddHours(3), "a job like those that took 2 h is expected to end near 2 h, not at its 10 h limit");
    }

    /// <summary>Histories a running job can outlive: one finished job (an interval of width 0), a spread, a tight cluster.</summary>
    private static RuntimeStatistics History(string shape) => RuntimeLearner.Train(shape switch
    {
        "one job" => [new RuntimeObservation("t", JobSignature.Of("job", "img"), 1, TimeSpan.FromHours(100), TimeSpan.FromHours(20), T0)],
        "spread" => Enumerable.Range(0, 60).Select(i => new RuntimeObservation("t", JobSignature.Of("job", "img"), 1,
            TimeSpan.FromHours(100), TimeSpan.FromHours(1 + i * 0.5), T0)),
        _ => Enumerable.Range(0, 200).Select(i => new RuntimeObservation("t", JobSignature.Of("job", "img"), 1,
            TimeSpan.FromHours(100), TimeSpan.FromHours(10 + i % 3 * 0.1), T0)),
    });

    /// <summary>
    /// The longest runtime the model has learned, as the prior shrinks it: one 20 h job weighs 1/6 at each of the four
    /// levels, so the model's top is about 43.4 h of the 100 h limit; 60 and 200 jobs are barely shrunk.
    /// </summary>
    private static TimeSpan LongestLearned(string shape) => shape switch
    {
        "one job" => TimeSpan.FromHours(43.5),
        "spread" => TimeSpan.FromHours(30.6),
        _ => TimeSpan.FromHours(10.25),
    };

    public static TheoryData<string, double> BeyondHistory => new()
    {
        // history, hours run (the limit is 100 h; every one is past the longest learned runtime)
        { "one job", 44 },
        { "one job", 60 },
        { "one job", 99.9 },
        { "spread", 31 },
        { "spread", 80 },
        { "cluster", 10.3 },
        { "cluster", 50 },
    };

    [Theory]
    [MemberData(nameof(BeyondHistory))]
    public void A_job_past_every_learned_runtime_is_expected_to_end_after_now_and_no_later_than_its_limit(string shape, double hours)
    {
        var statistics = History(shape);
        var limit = TimeSpan.FromHours(100);
        var started = T0;
        var now = started.AddHours(hours);

        var end = RuntimePredictions.ExpectedEnd(statistics, "t", "job", "img", 1, limit, TimeSpan.Zero, started, now);
        var p = RuntimePredictor.Predict(statistics, new RuntimeQuery("t", JobSignature.Of("job", "img"), 1, limit, now - started));

        Assert.True(end > now, $"after {hours} h (longest learned {LongestLearned(shape)}) the job is expected to end now ({end})");
        Assert.True(end <= started + limit, $"after {hours} h the expected end {end} is past the limit");
        Assert.True(now - started < p.Low && p.Low < p.Median && p.Median < p.High && p.High <= limit,
            $"after {hours} h: {p.Low} / {p.Median} / {p.High}");
    }

    [Theory]
    [InlineData("one job")]
    [InlineData("spread")]
    [InlineData("cluster")]
    public void Beyond_the_history_a_job_that_keeps_running_keeps_being_expected_later_until_its_limit(string shape)
    {
        var statistics = History(shape);
        var limit = TimeSpan.FromHours(100);
        var started = T0;
        var previous = DateTimeOffset.MinValue;

        for (var hours = LongestLearned(shape).TotalHours + 0.25; hours < 100; hours += 0.25)
        {
            var end = RuntimePredictions.ExpectedEnd(statistics, "t", "job", "img", 1, limit, TimeSpan.Zero, started, started.AddHours(hours));

            Assert.True(end >= previous, $"at {hours} h the expected end went back from {previous} to {end}");
            previous = end;
        }
        var atLimit = RuntimePredictions.ExpectedEnd(statistics, "t", "job", "img", 1, limit, TimeSpan.Zero, started, started + limit);
        Assert.Equal(started + limit, atLimit);
    }

    [Theory]
    [InlineData("spread", 0)]
    [InlineData("spread", 5)]
    [InlineData("spread", 29)]
    [InlineData("cluster", 0)]
    [InlineData("cluster", 10.05)]
    public void Inside_the_learned_range_a_job_is_expected_to_end_within_the_history(string shape, double hours)
    {
        var p = RuntimePredictor.Predict(History(shape),
            new RuntimeQuery("t", JobSignature.Of("job", "img"), 1, TimeSpan.FromHours(100), TimeSpan.FromHours(hours)));

        Assert.InRange(p.Median, TimeSpan.FromHours(hours), LongestLearned(shape));
        Assert.InRange(p.High, TimeSpan.FromHours(hours), LongestLearned(shape));
    }

    [Fact]
    public void Statistics_survive_a_round_trip_through_json()
    {
        var statistics = RuntimeLearner.Train(Enumerable.Range(0, 40).Select(Synthetic));
        var query = new RuntimeQuery("vision", "train-#|registry/vision", 1, TimeSpan.FromHours(4));

        var back = RuntimeStatistics.FromJson(statistics.ToJson());

        Assert.Equal(RuntimePredictor.Predict(statistics, query), RuntimePredictor.Predict(back, query));
        Assert.Equal(statistics.Observations, back.Observations);
    }

    [Theory]
    [InlineData("train-run-41", "ghcr.io/acme/train:1.2", "train-run-#|ghcr.io/acme/train")]
    [InlineData("Train-Run-42", "ghcr.io/acme/train@sha256:abc", "train-run-#|ghcr.io/acme/train")]
    [InlineData("eval", "localhost:5000/eval", "eval|localhost:5000/eval")]
    public void Signatures_ignore_run_numbers_and_image_tags(string name, string image, string expected) =>
        Assert.Equal(expected, JobSignature.Of(name, image));
}
