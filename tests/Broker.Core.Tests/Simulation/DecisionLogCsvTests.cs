using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using CsvHelper;

namespace Broker.Core.Tests.Simulation;

public sealed class DecisionLogCsvTests
{
    private static readonly RunSegment Segment = new("job-7", "vision", 8, 10, 20, 3620, "cloud", "", "aws", "us-east-1", "us-east-1a",
        "p5.48xlarge", Markets.Spot, "H100-80GB", 31.464m, Outcomes.Completed, 3600, 3600, 31.46m, null);

    [Theory]
    [InlineData("spot aws p5.48xlarge us-east-1a: cheapest that meets the deadline")]
    [InlineData("cost 31.46, \"wait\" 0s,\nthen on-prem\r\nfull")]
    [InlineData("\"")]
    [InlineData(",")]
    [InlineData("")]
    public void The_explanation_is_the_last_column_and_reads_back_as_written(string why)
    {
        var rows = Read([Segment with { Why = why, Team = "team, \"quoted\"" }]);

        var row = Assert.Single(rows);
        Assert.Equal(DecisionLogCsv.Header.Split(','), row.Keys);
        Assert.Equal(why, row["explanation"]);
        Assert.Equal("team, \"quoted\"", row["team"]);
        Assert.Equal("p5.48xlarge", row["instance_type"]);
    }

    [Fact]
    public void A_replays_rows_each_carry_the_explanation_of_their_placement()
    {
        var result = ReplayRunner.Run(ScenarioLoader.Load(TestPaths.Fixture("small-scenario.json")), PlacementStrategies.Broker);

        var rows = Read(result.Segments);

        Assert.Equal(result.Segments.Select(s => s.Why), rows.Select(r => r["explanation"]));
        Assert.Contains(rows, r => r["explanation"].Length > 0);
    }

    private static List<Dictionary<string, string>> Read(IEnumerable<RunSegment> segments)
    {
        var writer = new StringWriter();
        DecisionLogCsv.Write(writer, segments);
        using var csv = CsvReader.Create(new StringReader(writer.ToString()), CsvReaderOptions.Default);
        var header = csv.Headers.ToList();
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read())
        {
            Assert.Equal(header.Count, csv.FieldCount);
            rows.Add(header.Select((h, i) => (h, i)).ToDictionary(c => c.h, c => csv.GetString(c.i)));
        }
        return rows;
    }
}
