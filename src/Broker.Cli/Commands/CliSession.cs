using Broker.Cli.Api;
using Broker.Cli.Config;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary>What every command works with: the environment, its console, the config and (once logged in) a client.</summary>
public sealed class CliSession(CliEnvironment environment)
{
    public CliEnvironment Environment { get; } = environment;

    public IAnsiConsole Console { get; } = environment.CreateConsole();

    public ConfigStore Config { get; } = new(environment);

    public TextWriter Out => Environment.Out;

    public TextWriter Error => Environment.Error;

    /// <summary>A client for the stored login (or <c>BROKER_URL</c>/<c>BROKER_API_KEY</c>); a usage error when there is none.</summary>
    public BrokerClient Connect()
    {
        var config = Config.Load() ?? throw new UsageException(
            $"Not logged in: run 'broker login' (or set {ConfigStore.UrlVariable} and {ConfigStore.KeyVariable}).");
        return BrokerClient.Create(config.Url, config.ApiKey, Environment.Handler);
    }

    /// <summary>The body exactly as Broker sent it, for scripts.</summary>
    public void WriteJson(string json) => Out.WriteLine(json);
}
