using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Persistence;

public static class BrokerDatabase
{
    public const string MigrationsAssembly = "Broker.Migrations";

    /// <summary>The one place that sets the provider and conventions, shared by the app, the design-time factory and tests.</summary>
    public static DbContextOptionsBuilder UseBrokerDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptionsBuilder UseBrokerDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();
}
