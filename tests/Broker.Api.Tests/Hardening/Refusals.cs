using System.Net;
using System.Text.Json;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Hardening;

/// <summary>What every refused request must leave behind: a problem document naming the field, and no changed row.</summary>
public static class Refusals
{
    public sealed record RowCounts(int Jobs, int Events, int Labels, int Keys, int Allocations);

    public static async Task<RowCounts> CountAsync(BrokerApp app)
    {
        await using var db = app.NewDbContext();
        return new RowCounts(await db.Jobs.CountAsync(), await db.JobEvents.CountAsync(), await db.Set<Broker.Core.Jobs.JobLabel>().CountAsync(),
            await db.ApiKeys.CountAsync(), await db.Allocations.CountAsync());
    }

    /// <summary>Asserts the status, that the body is problem+json with that status, and (when given) that it names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"no error for '{field}': {text}");
        }
        return problem;
    }
}
