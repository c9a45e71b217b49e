using Spectre.Console;

namespace Broker.Cli;

/// <summary>
/// Everything the CLI takes from the process: streams, environment variables, the HTTP handler and the poll interval.
/// Tests build one with string writers, a private config directory and the in-process Broker's handler.
/// </summary>
public sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>Whether a person is at the terminal (prompts, spinners); false when output is piped or under test.</summary>
    public bool Interactive { get; init; }

    public required Func<string, string?> Variable { get; init; }

    /// <summary>Builds the handler of every request; null means the default sockets handler.</summary>
    public Func<HttpMessageHandler>? Handler { get; init; }

    /// <summary>How often <c>submit --wait</c> asks for the job while it is not running.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public static CliEnvironment FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        Interactive = !Console.IsOutputRedirected && !Console.IsInputRedirected,
        Variable = Environment.GetEnvironmentVariable,
    };

    /// <summary>Spectre output on <see cref="Out"/>: colours and live widgets only for a person at a terminal.</summary>
    public IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!Interactive)
        {
            // Piped output has no terminal width: wrapping at 80 columns would split ids across lines for grep and awk.
            console.Profile.Width = PipedWidth;
        }
        return console;
    }

    private const int PipedWidth = 400;
}
