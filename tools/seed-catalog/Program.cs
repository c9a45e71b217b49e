using Broker.Tools.Seed;

// seed-catalog [--prices DIR] [--out FILE]
// Defaults: the repository holding this tool, its sibling shared/data/prices, and src/Broker.Core/Capacity/Seed/offers-v1.csv.
var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
var root = RepoPaths.FindRepoRoot(Directory.GetCurrentDirectory())
    ?? RepoPaths.FindRepoRoot(AppContext.BaseDirectory)
    ?? throw new InvalidOperationException("run from inside the Broker repository (no Broker.sln found above here)");
var prices = options.GetValueOrDefault("--prices") ?? RepoPaths.FindSharedData(root, "prices")
    ?? throw new InvalidOperationException("shared/data/prices not found beside the repository; pass --prices DIR");
var output = options.GetValueOrDefault("--out") ?? Path.Combine(root, RepoPaths.SeedFile);

var text = SeedGenerator.Generate(prices);
await File.WriteAllTextAsync(output, text);
Console.WriteLine($"wrote {text.Count(c => c == '\n')} lines to {output} from {prices}");
