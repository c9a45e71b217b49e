using System.Net;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests;

public sealed class IdempotencyTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Same_key_and_body_returns_the_first_job_with_200()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem"));

        using var first = await JobApi.PostAsync(client, JobApi.ValidBody(), "key-1");
        using var second = await JobApi.PostAsync(client, JobApi.ValidBody(), "key-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((await JobApi.ReadAsync(first)).ToJsonString(), (await JobApi.ReadAsync(second)).ToJsonString());
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_409()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem"));
        (await JobApi.PostAsync(client, JobApi.ValidBody("a"), "key-2")).Dispose();

        using var response = await JobApi.PostAsync(client, JobApi.ValidBody("b"), "key-2");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }

    [Fact]
    public async Task The_same_key_in_two_teams_makes_two_jobs()
    {
        using var a = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-a"));
        using var b = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-b"));

        var jobA = await JobApi.SubmitAsync(a, idempotencyKey: "shared");
        var jobB = await JobApi.SubmitAsync(b, idempotencyKey: "shared");

        Assert.NotEqual(jobA.Id(), jobB.Id());
    }

    [Fact]
    public async Task Twenty_concurrent_duplicates_create_exactly_one_job()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "race"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => JobApi.PostAsync(client, JobApi.ValidBody("race"), "race-key")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await JobApi.ReadAsync(r)).Id()));
        Assert.Single(ids.Distinct());
        await using var db = app.NewDbContext();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Team == "race"));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}
