using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Broker.Api.Tests.Infrastructure;
using Broker.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Broker.Api.Tests.OpenApi;

/// <summary>
/// The document clients are generated from, linted as a new user would: Redocly CLI (pinned in tools/openapi-lint,
/// installed by scripts/install-deps.sh) with its recommended rules, on the document the real app serves.
/// </summary>
public sealed class OpenApiLintTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static readonly string Redocly = Path.Combine(RepoPaths.Root, "tools", "openapi-lint", "node_modules", ".bin", "redocly");

    [Fact]
    public async Task Document_has_no_errors_and_no_warnings_under_Redocly_recommended_rules()
    {
        Assert.True(File.Exists(Redocly),
            $"Redocly CLI is not installed at {Redocly}: run scripts/install-deps.sh (it runs tools/openapi-lint/install.sh).");
        // As served to a client that reached Broker by its address (README: 127.0.0.1:5080): the test host's default
        // http://localhost would be a server URL Redocly's no-server-example.com rule flags, which no deployment serves.
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://127.0.0.1") });
        var work = Directory.CreateTempSubdirectory("broker-openapi-");
        try
        {
            var document = Path.Combine(work.FullName, "openapi.json");
            await File.WriteAllTextAsync(document, await client.GetStringAsync("/openapi/v1.json"));

            var (exitCode, output, errors) = await RunAsync(work.FullName, "lint", "--extends", "recommended", "--format", "json", document);

            using var report = ParseReport(output, errors);
            var totals = report.RootElement.GetProperty("totals");
            var (errorCount, warningCount) = (totals.GetProperty("errors").GetInt32(), totals.GetProperty("warnings").GetInt32());
            Assert.True(errorCount == 0 && warningCount == 0,
                $"Redocly reports {errorCount} error(s) and {warningCount} warning(s) on /openapi/v1.json:\n{Describe(report)}");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static JsonDocument ParseReport(string output, string errors)
    {
        try
        {
            return JsonDocument.Parse(output);
        }
        catch (JsonException)
        {
            Assert.Fail($"Redocly did not print a JSON report.\nstdout:\n{output}\nstderr:\n{errors}");
            throw;
        }
    }

    private static string Describe(JsonDocument report)
    {
        var text = new StringBuilder();
        foreach (var problem in report.RootElement.GetProperty("problems").EnumerateArray())
        {
            var pointer = problem.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()).FirstOrDefault();
            text.AppendLine($"  {problem.GetProperty("severity").GetString()} {problem.GetProperty("ruleId").GetString()} at {pointer}: " +
                problem.GetProperty("message").GetString());
        }
        return text.ToString();
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Redocly)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The lint is local: no usage report to Redocly, no check for a newer release.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + Redocly);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
