using System.Net;
using System.Security.Cryptography;
using System.Text;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Callbacks;

/// <summary>A token says one kind of event for one allocation and purpose until it expires; anything else is 401 and changes nothing.</summary>
public sealed class CallbackTokenTests(CallbackApp app) : IClassFixture<CallbackApp>
{
    private async Task AssertUnauthorizedAsync(Segment segment, string? token, string body, string reason)
    {
        var before = await app.RowsAsync(segment);

        using var response = await app.PostAsync(segment.AllocationId, token, body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal(reason, problem.RootElement.GetProperty("reason").GetString());
        var text = problem.RootElement.GetRawText();
        Assert.DoesNotContain("test-callback-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(segment.Tokens.Started, text, StringComparison.Ordinal);
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    private static string Started => CallbackApp.Body(InstanceEventKind.Started, 1);

    [Fact]
    public async Task An_expired_token_is_401_expired()
    {
        var segment = await app.SegmentAsync();
        var expired = app.Tokens.Issue(segment.AllocationId, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddSeconds(-1));

        await AssertUnauthorizedAsync(segment, expired, Started, "expired");
    }

    [Fact]
    public async Task A_token_of_another_kind_is_401_wrong_kind()
    {
        var segment = await app.SegmentAsync(state: AllocationState.Running);

        await AssertUnauthorizedAsync(segment, segment.Tokens.Started, CallbackApp.Body(InstanceEventKind.Finished, 3, 0), "wrong-kind");
        await AssertUnauthorizedAsync(segment, segment.Tokens.Finished, Started, "wrong-kind");
        await AssertUnauthorizedAsync(segment, segment.Tokens.InterruptionNotice, CallbackApp.Body(InstanceEventKind.Finished, 3, 0), "wrong-kind");
    }

    [Fact]
    public async Task Another_allocations_token_or_a_forged_one_is_401_wrong_allocation()
    {
        var segment = await app.SegmentAsync();
        var other = await app.SegmentAsync();
        var forged = $"v2.{DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds()}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";

        await AssertUnauthorizedAsync(segment, other.Tokens.Started, Started, "wrong-allocation");
        await AssertUnauthorizedAsync(segment, forged, Started, "wrong-allocation");
    }

    [Fact]
    public async Task The_old_v1_token_form_is_no_longer_accepted()
    {
        var segment = await app.SegmentAsync();
        var v1 = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("test-callback-secret-0123456789abcdefghij"),
            segment.AllocationId.ToByteArray()));

        await AssertUnauthorizedAsync(segment, v1, Started, "malformed-token");
        await AssertUnauthorizedAsync(segment, null, Started, "missing-token");
    }

    [Fact]
    public async Task A_cloud_instance_token_on_an_onprem_allocation_is_refused()
    {
        var segment = await app.SegmentAsync(onPrem: true);
        var cloudToken = app.Tokens.Issue(segment.AllocationId, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1));

        await AssertUnauthorizedAsync(segment, cloudToken, Started, "wrong-purpose");
        using var own = await app.PostAsync(segment, InstanceEventKind.Started);
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
    }

    [Fact]
    public async Task An_onprem_script_token_on_a_cloud_allocation_is_refused()
    {
        var segment = await app.SegmentAsync();
        var onPremToken = app.Tokens.Issue(segment.AllocationId, InstanceEventKind.Started, CallbackPurpose.OnPremScript, DateTimeOffset.UtcNow.AddHours(1));

        await AssertUnauthorizedAsync(segment, onPremToken, Started, "wrong-purpose");
    }

    [Fact]
    public async Task The_token_is_checked_before_the_body_so_an_anonymous_caller_learns_nothing_from_it()
    {
        var segment = await app.SegmentAsync();

        await AssertUnauthorizedAsync(segment, "nonsense", "{not json", "malformed-token");
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{not json", "$" },
        { "[]", "$" },
        { "{\"kind\":\"started\"}", "seq" },
        { "{\"kind\":\"started\",\"seq\":0}", "seq" },
        { "{\"kind\":\"started\",\"seq\":-3}", "seq" },
        { "{\"kind\":\"started\",\"seq\":\"1\"}", "seq" },
        { "{\"kind\":\"started\",\"seq\":1.5}", "seq" },
        { "{\"kind\":\"started\",\"seq\":99999999999}", "seq" },
        { "{\"kind\":\"started\",\"seq\":1,\"seq\":2}", "seq" },
        { "{\"kind\":\"started\",\"seq\":1,\"exitCode\":0}", "exitCode" },
        { "{\"kind\":\"started\",\"seq\":1,\"reason\":\"image missing\"}", "reason" },
        { "{\"kind\":\"started\",\"seq\":1,\"state\":\"succeeded\"}", "state" },
        { "{\"kind\":\"started\",\"seq\":1,\"member\":0}", "member" },
        { "{\"kind\":\"interruption-notice\",\"seq\":2,\"member\":-1}", "member" },
        { "{\"kind\":\"interruption-notice\",\"seq\":2,\"member\":\"1\"}", "member" },
        { "{\"kind\":\"interruption-notice\",\"seq\":2,\"member\":64}", "member" },
        { "{\"kind\":\"Started\",\"seq\":1}", "kind" },
        { "{\"kind\":null,\"seq\":1}", "kind" },
        { "{\"seq\":1}", "kind" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_with_a_valid_token_is_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var segment = await app.SegmentAsync();
        var before = await app.RowsAsync(segment);

        using var response = await app.PostAsync(segment.AllocationId, segment.Tokens.Started, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.GetRawText());
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    public static TheoryData<string, string> BadFinishedBodies => new()
    {
        { "{\"kind\":\"finished\",\"seq\":3}", "exitCode" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":\"0\"}", "exitCode" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":256}", "exitCode" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":-1}", "exitCode" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"exitCode\":0}", "exitCode" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"reason\":\"\"}", "reason" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"reason\":\"   \"}", "reason" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"reason\":\"bell\\u0007 and\\nnewline\"}", "reason" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"reason\":125}", "reason" },
        { "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":1,\"reason\":\"" + new string('x', 301) + "\"}", "reason" },
    };

    [Theory]
    [MemberData(nameof(BadFinishedBodies))]
    public async Task A_bad_finished_body_is_400_and_does_not_finish_the_job(string body, string field)
    {
        var segment = await app.SegmentAsync(state: AllocationState.Running);
        var before = await app.RowsAsync(segment);

        using var response = await app.PostAsync(segment.AllocationId, segment.Tokens.Finished, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.GetRawText());
        Assert.Equal(before, await app.RowsAsync(segment));
        Assert.Equal(JobState.Running, before.Job);
    }

    [Fact]
    public async Task A_notice_naming_a_member_a_single_instance_does_not_have_is_409_and_changes_nothing()
    {
        var segment = await app.SegmentAsync(state: AllocationState.Running);
        var before = await app.RowsAsync(segment);

        using var response = await app.PostAsync(segment.AllocationId, segment.Tokens.InterruptionNotice,
            "{\"kind\":\"interruption-notice\",\"seq\":2,\"member\":1}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal("not-a-member", problem.RootElement.GetProperty("reason").GetString());
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    [Fact]
    public async Task A_body_that_is_not_json_by_its_content_type_is_415()
    {
        var segment = await app.SegmentAsync();
        var before = await app.RowsAsync(segment);

        using var response = await app.PostAsync(segment.AllocationId, segment.Tokens.Started, Started, "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
        Assert.Equal(before, await app.RowsAsync(segment));
    }
}
