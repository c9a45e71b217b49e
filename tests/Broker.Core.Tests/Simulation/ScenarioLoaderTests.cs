using System.Text.Json.Nodes;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class ScenarioLoaderTests
{
    [Fact]
    public void Loads_the_fixture_and_resolves_paths_against_the_scenario_folder()
    {
        var loaded = ScenarioLoader.Load(TestPaths.Fixture("small-scenario.json"));

        Assert.Equal(TestPaths.Fixture("small-trace.csv"), loaded.TracePath);
        Assert.Equal(300, loaded.SpotTraces["synthetic"].GapSeconds);
        Assert.Equal("V100-32GB", loaded.Scenario.OnPrem.Nodes[1].GpuModel);
    }

    [Fact]
    public void A_missing_spot_trace_file_fails_naming_where_it_looked()
    {
        using var folder = new TempFolder();
        var path = folder.CopyFixtureScenario(s => s["spotTraces"]!["synthetic"] = "nowhere/missing-spot.json");

        var error = Assert.Throws<FileNotFoundException>(() => ScenarioLoader.Load(path));

        Assert.Contains("spot availability trace 'synthetic'", error.Message);
        Assert.Contains(Path.Combine(folder.Path, "nowhere", "missing-spot.json"), error.Message);
    }

    [Fact]
    public void An_offer_with_a_spot_price_but_no_trace_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.CopyFixtureScenario(s => s["cloud"]!["offers"]![0]!["spotTrace"] = null);

        var error = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Load(path));

        Assert.Contains("g4dn.xlarge has a spot price but its spotTrace", error.Message);
    }

    [Fact]
    public void An_unknown_field_is_refused_with_its_path()
    {
        using var folder = new TempFolder();
        var path = folder.CopyFixtureScenario(s => s["onPrem"]!["ratePerGpuHours"] = 1);

        var error = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Load(path));

        Assert.Contains("ratePerGpuHours", error.Message);
    }

    private sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "broker-scenario-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string CopyFixtureScenario(Action<JsonNode> change)
        {
            var json = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("small-scenario.json")))!;
            json["trace"]!["path"] = TestPaths.Fixture("small-trace.csv");
            json["spotTraces"]!["synthetic"] = TestPaths.Fixture("synthetic-spot.json");
            change(json);
            var path = System.IO.Path.Combine(Path, "scenario.json");
            File.WriteAllText(path, json.ToJsonString());
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
