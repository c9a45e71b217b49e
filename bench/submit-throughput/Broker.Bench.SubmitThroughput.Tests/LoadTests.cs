using System.Text.Json;
using Broker.Bench.SubmitThroughput.Load;

namespace Broker.Bench.SubmitThroughput.Tests;

public sealed class LoadTests
{
    [Fact]
    public void Nearest_rank_percentile_is_the_smallest_value_with_that_share_at_or_below_it()
    {
        long[] sorted = [.. Enumerable.Range(1, 200).Select(i => (long)i)];

        Assert.Equal(100, Percentiles.NearestRank(sorted, 50));
        Assert.Equal(198, Percentiles.NearestRank(sorted, 99));
        Assert.Equal(200, Percentiles.NearestRank(sorted, 100));
        Assert.Equal(7, Percentiles.NearestRank([7], 99));
    }

    [Fact]
    public void A_submit_body_is_the_tests_valid_job_with_the_given_name()
    {
        using var body = JsonDocument.Parse(JobBodies.Utf8("bench-w1-42"));
        var job = body.RootElement;

        Assert.Equal("bench-w1-42", job.GetProperty("name").GetString());
        Assert.Equal(2, job.GetProperty("gpu").GetProperty("count").GetInt32());
        Assert.Equal("vision", job.GetProperty("labels").GetProperty("project").GetString());
        Assert.Equal(11, job.EnumerateObject().Count());
    }
}
