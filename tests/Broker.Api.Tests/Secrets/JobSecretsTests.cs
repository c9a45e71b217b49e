using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broker.Api.Tests.Secrets;

/// <summary>
/// Issue 16: job variables and ops-registered secrets. A secret's value is never in the database in clear, in any API
/// answer but its job's own fetch, or in Broker's logs (captured at Trace, every category).
/// </summary>
public sealed class JobSecretsTests(SecretsApp app) : IClassFixture<SecretsApp>
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>Each test's own value, so one test's assertions cannot pass on another's data.</summary>
    private static string NewValue() => $"v4lue-{Guid.NewGuid():N}-'$(touch /tmp/pwned)'\nline2";

    private async Task<List<string>> RawTextAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    private static Dictionary<string, string> Decode(string body) => body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split(' ', 2)).ToDictionary(p => p[0], p => Encoding.UTF8.GetString(Convert.FromBase64String(p[1])));

    [Fact]
    public async Task A_secret_is_sealed_in_the_database_audited_without_its_value_and_never_shown()
    {
        using var ops = await app.OpsAsync();
        var name = Unique("db-password");
        var value = NewValue();
        await app.RegisterAsync(ops, name, value, "vision");
        var rotated = NewValue();
        using (var put = await ops.PutAsJsonAsync($"/v1/secrets/{name}", new { value = rotated }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(2, (await JobApi.ReadAsync(put))["version"]!.GetValue<int>());
        }

        var list = await ops.GetStringAsync("/v1/secrets");
        var one = await ops.GetStringAsync($"/v1/secrets/{name}");
        await using var db = app.NewDbContext();
        var sealedValue = await db.Database.SqlQuery<byte[]>($"SELECT sealed_value AS \"Value\" FROM secrets WHERE name = {name}").SingleAsync();
        var row = (await RawTextAsync($"SELECT row_to_json(s)::text FROM secrets s WHERE name = '{name}'")).Single();
        var audit = await RawTextAsync($"SELECT row_to_json(a)::text FROM audit_records a WHERE target = 'secret:{name}' ORDER BY seq");

        Assert.Contains(name, list, StringComparison.Ordinal);
        Assert.Contains("\"teams\":[\"vision\"]", one, StringComparison.Ordinal);
        foreach (var secret in new[] { value, rotated })
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.Equal(-1, sealedValue.AsSpan().IndexOf(bytes.AsSpan(0, 16)));
            Assert.DoesNotContain(secret[..16], row, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(bytes)[..16], row, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..16], list + one, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..16], string.Join('\n', audit), StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..16], app.Logs.Text, StringComparison.Ordinal);
        }
        Assert.True(sealedValue.Length >= Encoding.UTF8.GetByteCount(rotated) + 28, "nonce and tag around the ciphertext");
        Assert.Equal(2, audit.Count);
        Assert.Contains("secret.create", audit[0], StringComparison.Ordinal);
        Assert.Contains("secret.rotate", audit[1], StringComparison.Ordinal);

        using var delete = await ops.DeleteAsync($"/v1/secrets/{name}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var again = await ops.DeleteAsync($"/v1/secrets/{name}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("secret.delete", (await RawTextAsync($"SELECT action FROM audit_records WHERE target = 'secret:{name}' ORDER BY seq"))[^1],
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_ops_register_and_list_secrets_and_bad_ones_are_refused_naming_the_field()
    {
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        using var ops = await app.OpsAsync();
        var name = Unique("token");

        using var bySubmitter = await submitter.PostAsJsonAsync("/v1/secrets", new { name, value = "x" });
        using var listByFinance = await finance.GetAsync("/v1/secrets");
        using var badName = await ops.PostAsJsonAsync("/v1/secrets", new { name = "../etc/passwd", value = "x" });
        using var emptyValue = await ops.PostAsJsonAsync("/v1/secrets", new { name, value = "" });
        using var badTeam = await ops.PostAsJsonAsync("/v1/secrets", new { name, value = "x", teams = new[] { "Vision!" } });
        await app.RegisterAsync(ops, name, "x");
        using var duplicate = await ops.PostAsJsonAsync("/v1/secrets", new { name, value = "y" });

        Assert.Equal(HttpStatusCode.Forbidden, bySubmitter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listByFinance.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.True((await JobApi.ProblemAsync(badName)).RootElement.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True((await JobApi.ProblemAsync(emptyValue)).RootElement.GetProperty("errors").TryGetProperty("value", out _));
        Assert.True((await JobApi.ProblemAsync(badTeam)).RootElement.GetProperty("errors").TryGetProperty("teams[0]", out _));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task A_jobs_variables_are_stored_and_shown_with_secrets_by_name_only_and_its_script_alone_gets_the_values()
    {
        using var ops = await app.OpsAsync();
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var secretName = Unique("hf-token");
        var value = NewValue();
        await app.RegisterAsync(ops, secretName, value, "vision");
        var logsBefore = app.Logs.Count;

        var job = await JobApi.SubmitAsync(team, SecretsApp.Body(new JsonObject { ["MODE"] = "fast lane" }, new JsonObject { ["HF_TOKEN"] = secretName }));
        var jobId = Guid.Parse(job.Id());
        var (allocationId, tokens) = await app.SegmentAsync(jobId);
        using var fetched = await app.FetchAsync(allocationId, tokens.Started);
        var fetchedBody = await fetched.Content.ReadAsStringAsync();
        var shown = await team.GetStringAsync($"/v1/jobs/{jobId}");
        var listed = await team.GetStringAsync("/v1/jobs");
        var jobRow = (await RawTextAsync($"SELECT row_to_json(j)::text FROM jobs j WHERE id = '{jobId}'")).Single();

        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("no-store", fetched.Headers.CacheControl?.ToString());
        Assert.Equal(new Dictionary<string, string> { ["HF_TOKEN"] = value, ["MODE"] = "fast lane" }, Decode(fetchedBody));
        var env = JsonNode.Parse(shown)!;
        Assert.Equal("fast lane", env["env"]!["MODE"]!.GetValue<string>());
        Assert.Equal(secretName, env["secretEnv"]!["HF_TOKEN"]!.GetValue<string>());
        Assert.Contains("fast lane", jobRow, StringComparison.Ordinal);
        foreach (var text in new[] { shown, listed, jobRow, app.Logs.Text })
        {
            Assert.DoesNotContain(value[..16], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))[..16], text, StringComparison.Ordinal);
        }
        Assert.True(app.Logs.Count > logsBefore, "the capture saw the requests' own log lines");
        Assert.Contains($"fetched its 2 variables (HF_TOKEN MODE)", app.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fetch_refuses_another_allocations_token_the_wrong_purpose_a_closed_allocation_and_a_deleted_secret()
    {
        using var ops = await app.OpsAsync();
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var secretName = Unique("api-key");
        await app.RegisterAsync(ops, secretName, NewValue());
        async Task<Guid> SubmitAsync() => Guid.Parse((await JobApi.SubmitAsync(team, SecretsApp.Body(secretEnv: new JsonObject { ["API_KEY"] = secretName }))).Id());
        var live = await app.SegmentAsync(await SubmitAsync());
        var other = await app.SegmentAsync(await SubmitAsync());
        var onPrem = await app.SegmentAsync(await SubmitAsync(), onPrem: true, state: AllocationState.Provisioning);
        var closed = await app.SegmentAsync(await SubmitAsync(), state: AllocationState.Closed);

        using var otherToken = await app.FetchAsync(live.AllocationId, other.Tokens.Started);
        using var noToken = await app.FetchAsync(live.AllocationId, null);
        using var cloudTokenOnPrem = await app.FetchAsync(onPrem.AllocationId, app.Services.GetRequiredService<CallbackTokens>()
            .Issue(onPrem.AllocationId, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1)));
        using var onPremOk = await app.FetchAsync(onPrem.AllocationId, onPrem.Tokens.Finished);
        using var afterEnd = await app.FetchAsync(closed.AllocationId, closed.Tokens.Started);
        (await ops.DeleteAsync($"/v1/secrets/{secretName}")).Dispose();
        using var afterDelete = await app.FetchAsync(live.AllocationId, live.Tokens.Started);

        Assert.Equal(HttpStatusCode.Unauthorized, otherToken.StatusCode);
        Assert.Equal("wrong-allocation", (await JobApi.ProblemAsync(otherToken)).RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("wrong-purpose", (await JobApi.ProblemAsync(cloudTokenOnPrem)).RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, onPremOk.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, afterEnd.StatusCode);
        Assert.Equal("not-live", (await JobApi.ProblemAsync(afterEnd)).RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, afterDelete.StatusCode);
        Assert.Equal("secret-unavailable", (await JobApi.ProblemAsync(afterDelete)).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_reference_to_an_unknown_secret_or_one_the_team_may_not_use_is_422_naming_the_variable()
    {
        using var ops = await app.OpsAsync();
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var nlpOnly = Unique("nlp-only");
        await app.RegisterAsync(ops, nlpOnly, "x", "nlp");

        var jobName = Unique("refused");
        var unknownBody = SecretsApp.Body(secretEnv: new JsonObject { ["TOKEN"] = Unique("missing") });
        var forbiddenBody = SecretsApp.Body(secretEnv: new JsonObject { ["TOKEN"] = nlpOnly });
        unknownBody["name"] = jobName;
        forbiddenBody["name"] = jobName;
        using var unknown = await JobApi.PostAsync(team, unknownBody);
        using var forbidden = await JobApi.PostAsync(team, forbiddenBody);

        foreach (var response in new[] { unknown, forbidden })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.True((await JobApi.ProblemAsync(response)).RootElement.GetProperty("errors").TryGetProperty("secretEnv.TOKEN", out _));
        }
        await using var db = app.NewDbContext();
        Assert.Equal(0, await db.Jobs.CountAsync(j => j.Name == jobName));
    }

    [Theory]
    [InlineData("env", "BROKER_JOB_ID", "x", "env.BROKER_JOB_ID")]
    [InlineData("env", "broker_lower", "x", "env.broker_lower")]
    [InlineData("env", "PATH", "/tmp/evil", "env.PATH")]
    [InlineData("env", "LD_PRELOAD", "/tmp/evil.so", "env.LD_PRELOAD")]
    [InlineData("env", "https_proxy", "http://evil", "env.https_proxy")]
    [InlineData("env", "1ABC", "x", "env.1ABC")]
    [InlineData("env", "A-B", "x", "env.A-B")]
    [InlineData("env", "A B", "x", "env.A B")]
    [InlineData("env", "A;rm -rf /", "x", "env.A;rm -rf /")]
    [InlineData("env", "", "x", "env.")]
    [InlineData("secretEnv", "TOKEN", "../../etc/shadow", "secretEnv.TOKEN")]
    [InlineData("secretEnv", "SLURM_JOB_ID", "x", "secretEnv.SLURM_JOB_ID")]
    public async Task Hostile_variable_names_and_references_are_refused_naming_the_field(string map, string name, string value, string field)
    {
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var body = SecretsApp.Body();
        body[map] = new JsonObject { [name] = value };

        using var response = await JobApi.PostAsync(team, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JobApi.ProblemAsync(response)).RootElement.GetProperty("errors").TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task Control_characters_oversized_values_too_many_variables_and_a_name_in_both_maps_are_refused()
    {
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var many = new JsonObject();
        for (var i = 0; i < 65; i++)
        {
            many[$"V{i}"] = "x";
        }

        using var control = await JobApi.PostAsync(team, SecretsApp.Body(new JsonObject { ["A"] = "bell\u0007" }));
        using var nul = await JobApi.PostAsync(team, SecretsApp.Body(new JsonObject { ["A"] = "nul\u0000" }));
        using var big = await JobApi.PostAsync(team, SecretsApp.Body(new JsonObject { ["A"] = new string('x', 8 * 1024 + 1) }));
        using var tooMany = await JobApi.PostAsync(team, SecretsApp.Body(many));
        using var both = await JobApi.PostAsync(team, SecretsApp.Body(new JsonObject { ["A"] = "x" }, new JsonObject { ["A"] = "some-secret" }));

        Assert.All(new[] { control, nul, big, tooMany, both }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.True((await JobApi.ProblemAsync(big)).RootElement.GetProperty("errors").TryGetProperty("env.A", out _));
        Assert.True((await JobApi.ProblemAsync(tooMany)).RootElement.GetProperty("errors").TryGetProperty("env", out _));
        Assert.True((await JobApi.ProblemAsync(both)).RootElement.GetProperty("errors").TryGetProperty("env.A", out _));
    }

    [Fact]
    public async Task Quotes_spaces_and_line_breaks_in_plain_values_come_back_exactly()
    {
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        const string value = "it's \"quoted\" $(id) `id`\n\ttabbed ;|&";
        var job = await JobApi.SubmitAsync(team, SecretsApp.Body(new JsonObject { ["ARGS"] = value }));
        var (allocationId, tokens) = await app.SegmentAsync(Guid.Parse(job.Id()));

        using var fetched = await app.FetchAsync(allocationId, tokens.Started);
        var shown = (await team.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!;

        Assert.Equal(value, Decode(await fetched.Content.ReadAsStringAsync())["ARGS"]);
        Assert.Equal(value, shown["env"]!["ARGS"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_variables_the_secrets_routes_and_the_fetch()
    {
        using var client = app.CreateClient();
        using var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = doc.RootElement.GetProperty("paths");
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.True(paths.TryGetProperty("/v1/secrets", out var secrets) && secrets.TryGetProperty("post", out _) && secrets.TryGetProperty("get", out _));
        Assert.True(paths.TryGetProperty("/v1/secrets/{name}", out var one) && one.TryGetProperty("put", out _) && one.TryGetProperty("delete", out _));
        Assert.True(paths.TryGetProperty("/v1/instances/{allocationId}/environment", out var fetch) && fetch.TryGetProperty("get", out _));
        foreach (var schema in new[] { "SubmitJobRequest", "JobResponse" })
        {
            var properties = schemas.GetProperty(schema).GetProperty("properties");
            Assert.True(properties.TryGetProperty("env", out _) && properties.TryGetProperty("secretEnv", out _), schema);
        }
        Assert.False(schemas.GetProperty("SecretResponse").GetProperty("properties").TryGetProperty("value", out _));
    }
}
