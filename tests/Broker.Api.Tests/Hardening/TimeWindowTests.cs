using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Contracts;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Hardening;

/// <summary>Durations and time windows that would overflow, or make a report of millions of buckets, are 400 naming the parameter.</summary>
public sealed class TimeWindowTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Theory]
    [InlineData("1m", 1)]
    [InlineData("15m", 15)]
    [InlineData("1h", 60)]
    [InlineData("7d", 7 * 24 * 60)]
    [InlineData("366d", 366 * 24 * 60)]
    [InlineData("8784h", 366 * 24 * 60)]
    public void Durations_within_the_maximum_parse(string text, int minutes)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("99999999d")]
    [InlineData("2147483647h")]
    [InlineData("9223372036854775807m")]
    [InlineData("99999999999999999999m")]
    [InlineData("367d")]
    [InlineData("0m")]
    [InlineData("-1h")]
    [InlineData("+1h")]
    [InlineData(" 1h")]
    [InlineData("1 h")]
    [InlineData("1H")]
    [InlineData("1s")]
    [InlineData("h")]
    [InlineData("")]
    [InlineData("١h")]
    public void Overflowing_or_malformed_durations_are_refused(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("step=99999999d", "step")]
    [InlineData("step=2147483647h", "step")]
    [InlineData("step=367d", "step")]
    [InlineData("from=0001-01-01&to=9999-12-31&step=1m", "from")]
    [InlineData("from=0001-01-01&to=9999-12-31&step=1m", "to")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&step=1m", "step")]
    [InlineData("from=1970-01-01T00:00:00Z&to=2999-12-31T00:00:00Z&step=1d", "step")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=99999-01-01", "to")]
    [InlineData("from=2026-01-01T00:00:00%2B99:00", "from")]
    public async Task Bad_utilization_windows_are_400_naming_the_parameter(string query, string field)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var response = await finance.GetAsync("/v1/onprem/utilization?" + query);

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task The_bucket_cap_is_stated_in_the_error()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var response = await finance.GetAsync("/v1/onprem/utilization?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&step=1m");

        var problem = await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "step");
        var message = problem.GetProperty("errors").GetProperty("step")[0].GetString();
        Assert.Contains($"at most {ReportWindow.MaxBuckets}", message, StringComparison.Ordinal);
        Assert.Contains("480960 buckets", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-01T02:00:00Z&step=1h")]
    [InlineData("from=2026-01-01&to=2026-01-02&step=1d")]
    [InlineData("to=1970-01-01T05:00:00Z")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-03-24T08:00:00Z&step=1h")]
    [InlineData("")]
    public async Task Windows_within_the_limits_answer_a_report(string query)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        var report = await finance.GetFromJsonAsync<JsonObject>("/v1/onprem/utilization?" + query);

        Assert.NotNull(report!["buckets"]);
        Assert.True(report["to"]!.GetValue<DateTimeOffset>() > report["from"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("submittedFrom=0001-01-01", "submittedFrom")]
    [InlineData("submittedTo=9999-12-31T23:59:59.9999999Z", "submittedTo")]
    [InlineData("submittedFrom=0001-01-01T00:00:00%2B14:00", "submittedFrom")]
    [InlineData("submittedFrom=soon", "submittedFrom")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=99999999999999", "limit")]
    [InlineData("limit=1e3", "limit")]
    public async Task Bad_job_list_times_and_limits_are_400_naming_the_parameter(string query, string field)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "windows"));

        using var response = await client.GetAsync("/v1/jobs?" + query);

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("2999-01-01T00:00:00Z")]
    public async Task A_deadline_beyond_a_year_ahead_is_400(string deadline)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "windows"));
        var body = JobApi.ValidBody();
        body["deadline"] = deadline;
        var before = await Refusals.CountAsync(app);

        using var response = await JobApi.PostAsync(client, body);

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "deadline");
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Fact]
    public async Task A_job_list_window_and_a_large_limit_still_work()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "windows"));
        var job = await JobApi.SubmitAsync(client);

        var page = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?submittedFrom=2020-01-01&submittedTo=2999-01-01T00:00:00Z&limit=100000");

        Assert.Contains(job.Id(), page!["items"]!.AsArray().Select(j => j!.Str("id")));
    }
}
