using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Policies;

/// <summary>Policy requests shared by the policy, kill-switch and audit tests.</summary>
public static class PolicyApi
{
    public static Task<HttpResponseMessage> PutAsync(HttpClient client, string scope, string json, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/policies/{scope}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    /// <summary>Writes a scope's policy over its current version and returns the new ETag.</summary>
    public static async Task<string> ReplaceAsync(HttpClient client, string scope, string json)
    {
        using var current = await client.GetAsync($"/v1/policies/{scope}");
        current.EnsureSuccessStatusCode();
        using var put = await PutAsync(client, scope, json, current.Headers.ETag!.Tag);
        Assert.True(put.IsSuccessStatusCode, $"PUT {scope}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        return put.Headers.ETag!.Tag;
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<int> AuditCountAsync(BrokerApp app, string target)
    {
        await using var db = app.NewDbContext();
        return await db.AuditRecords.CountAsync(a => a.Target == target);
    }
}
