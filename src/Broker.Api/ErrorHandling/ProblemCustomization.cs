using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Broker.Api.ErrorHandling;

public static class ProblemCustomization
{
    /// <summary>Adds the trace id, and names invalid fields the way they are spelled in JSON (<c>gpu.count</c>, not <c>Gpu.Count</c>).</summary>
    public static void Apply(ProblemDetailsContext context)
    {
        context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        if (context.ProblemDetails is HttpValidationProblemDetails validation)
        {
            var renamed = validation.Errors.ToDictionary(e => JsonPath(e.Key), e => e.Value);
            validation.Errors.Clear();
            foreach (var (key, value) in renamed)
            {
                validation.Errors[key] = value;
            }
        }
    }

    private static string JsonPath(string key) => key.StartsWith('$') || key.Contains('-', StringComparison.Ordinal) || IsVariableField(key)
        ? key
        : string.Join('.', key.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    /// <summary><c>env.NAME</c> and <c>secretEnv.NAME</c> keep the variable's own case (ADR 0015).</summary>
    private static bool IsVariableField(string key) =>
        key.StartsWith("env.", StringComparison.Ordinal) || key.StartsWith("secretEnv.", StringComparison.Ordinal);
}
