using System.Net;

namespace Broker.Cli.Api;

/// <summary>Shows a refusal as people read it: the problem's title and status, its detail, then each field with its messages.</summary>
public static class ProblemWriter
{
    public static void Write(TextWriter error, ApiRefusedException refusal)
    {
        var problem = refusal.Problem;
        error.WriteLine($"error: {problem.Title ?? "Broker refused the request"} ({(int)refusal.Status})");
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            error.WriteLine("  " + problem.Detail);
        }
        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
        {
            foreach (var message in messages)
            {
                error.WriteLine($"  {field}: {message}");
            }
        }
        var hint = refusal.Status switch
        {
            HttpStatusCode.Unauthorized => "Your API key was refused: run 'broker login' with a valid key.",
            HttpStatusCode.Forbidden => "Your key's role may not do this.",
            HttpStatusCode.TooManyRequests => "Over your key's rate limit: wait a moment and try again.",
            _ => null,
        };
        if (hint is not null)
        {
            error.WriteLine("  " + hint);
        }
    }
}
