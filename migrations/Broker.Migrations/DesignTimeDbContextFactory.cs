using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Broker.Migrations;

/// <summary>Lets <c>dotnet ef</c> build the model without the web host. The connection is only used by database commands.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BrokerDbContext>
{
    public BrokerDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("BROKER_DESIGN_DB")
            ?? "Host=127.0.0.1;Port=5432;Username=postgres;Database=broker";
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(connectionString);
        return new BrokerDbContext(options.Options);
    }
}
