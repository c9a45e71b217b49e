namespace Broker.Replay;

/// <summary><c>--scenario FILE [--strategy NAME | --compare] [--out DIR]</c></summary>
internal sealed record ReplayArguments(string Scenario, string? Strategy, bool Compare, string? OutDir, string? ExportTrace = null)
{
    public const string Usage = "usage: Broker.Replay --scenario FILE [--strategy NAME | --compare] [--out DIR] [--export-trace FILE.csv]";

    public static ReplayArguments Parse(IReadOnlyList<string> args)
    {
        string? scenario = null, strategy = null, outDir = null, export = null;
        var compare = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            switch (args[i])
            {
                case "--scenario": scenario = Value(); break;
                case "--strategy": strategy = Value(); break;
                case "--out": outDir = Value(); break;
                case "--compare": compare = true; break;
                case "--export-trace": export = Value(); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }
        if (scenario is null)
        {
            throw new ArgumentException($"--scenario is required. {Usage}");
        }
        if (compare && strategy is not null)
        {
            throw new ArgumentException($"Use either --strategy or --compare, not both. {Usage}");
        }
        return new ReplayArguments(scenario, strategy ?? (compare ? null : Core.Placement.PlacementStrategies.Broker), compare, outDir, export);
    }
}
