using System.Net;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Hardening;

/// <summary>The image is checked against the OCI reference grammar at intake, so a job that can never start is never queued.</summary>
public sealed class ImageIntakeTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Theory]
    [InlineData("-it")]
    [InlineData("--privileged")]
    [InlineData("ubuntu -it")]
    [InlineData("$(cat /etc/passwd)")]
    [InlineData("ubuntu;id")]
    [InlineData("Acme/Train")]
    [InlineData("ubuntu:")]
    [InlineData("ubuntu@sha256:1234")]
    [InlineData("ghcr.io:99999/acme/train")]
    [InlineData("ubuntu\n")]
    public async Task An_image_that_is_not_an_oci_reference_is_400_naming_image(string image)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "images"));
        var before = await Refusals.CountAsync(app);
        var body = JobApi.ValidBody();
        body["image"] = image;

        using var response = await JobApi.PostAsync(client, body);

        var problem = await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "image");
        Assert.Contains("OCI reference", problem.GetProperty("errors").GetProperty("image")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Theory]
    [InlineData("ubuntu")]
    [InlineData("nvcr.io/nvidia/pytorch:24.01-py3")]
    [InlineData("localhost:5000/acme/train@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public async Task Oci_references_are_accepted_as_given(string image)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "images"));
        var body = JobApi.ValidBody();
        body["image"] = image;

        var job = await JobApi.SubmitAsync(client, body);

        Assert.Equal(image, job.Str("image"));
    }
}
