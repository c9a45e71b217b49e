using System.Text.Json;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Broker.HostileInput.Database;
using Broker.HostileInput.Requests;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// The API with what hostile requests aim at (keys of every role, a job of each of two teams, a live allocation, a revoked
/// key), and the one check every hostile case ends with: the exact status, a problem document, and a database whose
/// every table (Broker's and Hangfire's) has the same rows as before.
/// </summary>
public sealed class HostileApp : BrokerApp, IAsyncLifetime
{
    private HttpClient? client;
    private HostileTargets? targets;

    public HostileTargets Targets => targets ?? throw new InvalidOperationException("Not initialized.");

    public HttpClient Client => client ?? throw new InvalidOperationException("Not initialized.");

    async Task IAsyncLifetime.InitializeAsync()
    {
        await base.InitializeAsync();
        client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        targets = await TargetSetup.PrepareAsync(Client, AdminKey, ConnectionString, CallbackToken);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A valid cloud-instance callback token of an allocation for an event kind (a started token for an unknown kind).</summary>
    public string CallbackToken(Guid allocationId, string kind) =>
        Services.GetRequiredService<CallbackTokens>().ValidFor(allocationId, kind);

    public Task<IReadOnlyDictionary<string, DatabaseSnapshot.TableState>> FingerprintAsync() => DatabaseSnapshot.FingerprintAsync(ConnectionString);

    /// <summary>Sends the case's request and checks status, problem document and that no row of any table changed.</summary>
    public async Task AssertAsync(HostileCase hostile)
    {
        var request = hostile.Build(Targets);
        var before = await FingerprintAsync();
        using var response = await Client.SendAsync(request.ToMessage());
        var body = await response.Content.ReadAsStringAsync();
        var after = await FingerprintAsync();

        var failures = new List<string>();
        var status = (int)response.StatusCode;
        if (status != hostile.Expected)
        {
            failures.Add($"status {status}, expected {hostile.Expected}");
        }
        if (hostile.ProblemDocument && ProblemDocumentError(response, body) is { } problem)
        {
            failures.Add(problem);
        }
        if (DatabaseSnapshot.Differences(before, after) is { Length: > 0 } changed)
        {
            failures.Add("rows changed: " + changed);
        }
        Assert.True(failures.Count == 0,
            $"{hostile.Id}: {string.Join("; ", failures)}\n  request: {request.Describe()}\n  response: {Cut(body)}");
    }

    /// <summary>Null when the body is an RFC 9457 problem document with a title (and the status, if it names one, matches).</summary>
    public static string? ProblemDocumentError(HttpResponseMessage response, string body)
    {
        if (!MediaTypes.IsProblemJson(response.Content.Headers.ContentType))
        {
            return $"content type '{response.Content.Headers.ContentType}' is not application/problem+json";
        }
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString()))
            {
                return "the problem document has no title";
            }
            return root.TryGetProperty("status", out var s) && s.GetInt32() != (int)response.StatusCode
                ? $"the problem document says status {s.GetInt32()}"
                : null;
        }
        catch (JsonException)
        {
            return "the problem document is not JSON";
        }
    }

    private static string Cut(string text) => text.Length > 400 ? text[..400] + "…" : text;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            client?.Dispose();
        }
        base.Dispose(disposing);
    }
}
