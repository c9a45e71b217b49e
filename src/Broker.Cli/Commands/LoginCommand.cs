using System.CommandLine;
using Broker.Cli.Api;
using Broker.Cli.Config;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary><c>broker login</c>: checks the key against <c>GET /v1/me</c>, then stores URL and key in the user's config (600).</summary>
internal static class LoginCommand
{
    public static Command Build(CliSession session)
    {
        var url = new Option<string?>("--url") { Description = $"Broker's URL (default: the stored one, or ${ConfigStore.UrlVariable})" };
        var keyFromStdin = new Option<bool>("--api-key-stdin")
        {
            Description = $"Read the API key from standard input (else ${ConfigStore.KeyVariable}, else a prompt)",
        };
        var command = new Command("login", "Store Broker's URL and your API key for the other commands") { url, keyFromStdin };
        command.SetAction(async (parse, ct) =>
        {
            var stored = session.Config.Load();
            var target = parse.GetValue(url) ?? stored?.Url ?? Ask(session, "Broker URL:", secret: false);
            var key = parse.GetValue(keyFromStdin) ? (await session.Environment.In.ReadLineAsync(ct))?.Trim()
                : session.Environment.Variable(ConfigStore.KeyVariable) is { Length: > 0 } fromEnv ? fromEnv
                : Ask(session, "API key:", secret: true);
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new UsageException("No API key given.");
            }
            using var client = BrokerClient.Create(target, key, session.Environment.Handler);
            var me = (await client.GetAsync<MeView>(ApiCalls.Me, null, [], ct)).Value;
            session.Config.Save(new CliConfig(target.TrimEnd('/'), key));
            session.Out.WriteLine($"Logged in to {target.TrimEnd('/')} as '{me.Name}' ({me.Role}{(me.Team is { } team ? ", team " + team : "")}).");
            session.Out.WriteLine($"Saved in {session.Config.FilePath} (readable by you only).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Ask(CliSession session, string prompt, bool secret)
    {
        if (!session.Environment.Interactive)
        {
            throw new UsageException($"'broker login' needs {(secret ? $"--api-key-stdin or ${ConfigStore.KeyVariable}" : "--url")} when no one is at the terminal.");
        }
        var text = new TextPrompt<string>(prompt);
        return session.Console.Prompt(secret ? text.Secret() : text);
    }
}
