namespace Broker.Cli.Tests;

/// <summary>One Broker for every CLI test (a database and its migrations once), the tests one after another.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliBroker>
{
    public const string Name = "cli";
}
