using System.Net;
using System.Text;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Hardening;

/// <summary>Numbers are JSON numbers, every field appears once, and a body is UTF-8 JSON or it is refused.</summary>
public sealed class StrictJsonTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static string Valid => JobApi.ValidBody().ToJsonString();

    public static TheoryData<string, string> DuplicateAndStringNumberCases() => new()
    {
        { Valid.Replace("\"count\":2", "\"count\":1,\"count\":64", StringComparison.Ordinal), "gpu.count" },
        { Valid.Replace("\"count\":2", "\"count\":1,\"Count\":64", StringComparison.Ordinal), "gpu.count" },
        { Valid.Replace("\"cpuCores\":16", "\"cpuCores\":16,\"cpuCores\":1024", StringComparison.Ordinal), "cpuCores" },
        { Valid.Replace("\"name\":\"train-resnet\"", "\"name\":\"a\",\"name\":\"b\"", StringComparison.Ordinal), "name" },
        { Valid.Replace("\"stage\":\"exp\"", "\"stage\":\"exp\",\"stage\":\"prod\"", StringComparison.Ordinal), "labels.stage" },
        { "{\"gpu\":{\"count\":64}," + Valid[1..], "gpu" },
        { Valid.Replace("\"count\":2", "\"count\":\"2\"", StringComparison.Ordinal), "gpu.count" },
        { Valid.Replace("\"cpuCores\":16", "\"cpuCores\":\"16\"", StringComparison.Ordinal), "cpuCores" },
        { Valid.Replace("\"maxPricePerGpuHour\":4.5", "\"maxPricePerGpuHour\":\"4.5\"", StringComparison.Ordinal), "maxPricePerGpuHour" },
        { Valid.Replace("\"maxPricePerGpuHour\":4.5", "\"maxPricePerGpuHour\":\"NaN\"", StringComparison.Ordinal), "maxPricePerGpuHour" },
    };

    [Theory]
    [MemberData(nameof(DuplicateAndStringNumberCases))]
    public async Task Duplicate_fields_and_numbers_in_strings_are_400_naming_the_field(string body, string field)
    {
        Assert.NotEqual(Valid, body);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "strict"));
        var before = await Refusals.CountAsync(app);

        using var response = await client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Fact]
    public async Task A_duplicate_field_names_itself_in_the_message()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "strict"));
        var body = Valid.Replace("\"count\":2", "\"count\":1,\"count\":64", StringComparison.Ordinal);

        using var response = await client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "gpu.count");
        Assert.Contains("more than once", problem.GetProperty("errors").GetProperty("gpu.count")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_exit_code_sent_as_a_string_is_refused_while_a_number_is_accepted()
    {
        var allocation = Guid.NewGuid();
        var token = app.Services.GetRequiredService<CallbackTokens>()
            .Issue(allocation, InstanceEventKind.Finished, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1));
        using var client = app.ClientWithKey(token);
        var url = $"/v1/instances/{allocation}/events";

        using var asString = await client.PostAsync(url, new StringContent("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":\"0\"}", Encoding.UTF8, "application/json"));
        using var asNumber = await client.PostAsync(url, new StringContent("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":0}", Encoding.UTF8, "application/json"));
        using var twice = await client.PostAsync(url, new StringContent("{\"kind\":\"finished\",\"kind\":\"finished\",\"seq\":3,\"exitCode\":0}", Encoding.UTF8, "application/json"));

        await Refusals.AssertProblemAsync(asString, HttpStatusCode.BadRequest, "exitCode");
        Assert.NotEqual(HttpStatusCode.BadRequest, asNumber.StatusCode);
        await Refusals.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "kind");
    }

    [Theory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=\"utf-32\"")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json;;;charset")]
    public async Task A_charset_other_than_utf8_is_415(string contentType)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "strict"));
        var before = await Refusals.CountAsync(app);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Valid));
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));

        using var response = await client.PostAsync("/v1/jobs", content);

        await Refusals.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task Utf8_bodies_are_accepted_with_or_without_a_charset(string contentType)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "strict"));
        var body = JobApi.ValidBody("utf8");
        body["labels"]!["stage"] = "café";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        })));
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));

        using var response = await client.PostAsync("/v1/jobs", content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("café", (await JobApi.ReadAsync(response))["labels"]!["stage"]!.GetValue<string>());
    }
}
