using System.Text.RegularExpressions;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Tests.Jobs;

/// <summary>
/// The submit's hand-written insert names its columns itself; a column added to the EF model and not to the statement
/// would be left at its database default on every new job. This holds the statement to the model.
/// </summary>
public sealed partial class NewJobInsertColumnsTests
{
    [Theory]
    [InlineData("jobs", new[] { "seq", "xmin" })]
    [InlineData("job_labels", new string[0])]
    [InlineData("job_events", new[] { "id" })]
    public void The_insert_writes_every_column_of_the_model_the_database_does_not_assign(string table, string[] databaseAssigned)
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase("Host=model.only");
        using var db = new BrokerDbContext(options.Options);
        var modelColumns = db.Model.GetRelationalModel().FindTable(table, null)!.Columns.Select(c => c.Name)
            .Except(databaseAssigned).Order(StringComparer.Ordinal);

        var written = InsertColumns().Matches(NewJobInsert.Sql).Single(m => m.Groups["table"].Value == table)
            .Groups["columns"].Value.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal);

        Assert.Equal(modelColumns, written);
    }

    [GeneratedRegex(@"INSERT INTO (?<table>\w+) \((?<columns>[^)]*)\)")]
    private static partial Regex InsertColumns();
}
