using System.Globalization;
using Broker.Core.Prediction;
using Microsoft.ML;
using Microsoft.ML.Data;

// runtime-prediction [--data FILE]: the empirical-quantile predictor (ADR 0008) against ML.NET FastTree and LightGBM
// regressors on the Blue Waters GPU jobs (read in place): trained on the first 70% by submit time, tested on the rest.
// Features everywhere: user (= team), GPU count, the requested limit; label ln(actual / requested). Headline lines last.
var path = args.Length == 2 && args[0] == "--data" ? args[1] : FindData();
var rows = Read(path);
var cut = (int)(rows.Count * 0.7);
var train = rows.Take(cut).ToList();
var test = rows.Skip(cut).ToList();
Console.WriteLine($"Blue Waters GPU jobs: {rows.Count} ({train.Count} train, {test.Count} test by submit time), {path}");

var statistics = RuntimeLearner.Train(train.Select(r => r.Observation));
var empirical = test.Select(r => RuntimePredictor.Predict(statistics, new RuntimeQuery(r.User, "", r.Gpus, r.Requested))).ToArray();

var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(train.Select(Row.Of));
var testData = ml.Data.LoadFromEnumerable(test.Select(Row.Of));
var features = ml.Transforms.Categorical.OneHotEncoding("UserKey", nameof(Row.User))
    .Append(ml.Transforms.Concatenate("Features", "UserKey", nameof(Row.Gpus), nameof(Row.LogRequested)));
double[] Fit(IEstimator<ITransformer> trainer)
{
    var model = features.Append(trainer).Fit(data);
    return ml.Data.CreateEnumerable<Scored>(model.Transform(testData), reuseRowObject: false).Select(s => (double)s.Score).ToArray();
}
var fastTree = Fit(ml.Regression.Trainers.FastTree(labelColumnName: nameof(Row.Label)));
var lightGbm = Fit(ml.Regression.Trainers.LightGbm(labelColumnName: nameof(Row.Label)));

double MedianRelError(Func<int, TimeSpan> predicted) =>
    Median(test.Select((r, i) => Math.Abs((predicted(i) - r.Actual) / r.Actual)));
TimeSpan FromLogRatio(int i, double logRatio) =>
    TimeSpan.FromSeconds(Math.Clamp(test[i].Requested.TotalSeconds * Math.Exp(logRatio), 1, test[i].Requested.TotalSeconds));
var results = new (string Name, double Error, double? Coverage)[]
{
    ("user limit", MedianRelError(i => test[i].Requested), null),
    ("empirical quantiles (Broker)", MedianRelError(i => empirical[i].Median),
        test.Select((r, i) => empirical[i].Low <= r.Actual && r.Actual <= empirical[i].High).Count(x => x) / (double)test.Count),
    ("ML.NET FastTree", MedianRelError(i => FromLogRatio(i, fastTree[i])), null),
    ("ML.NET LightGBM", MedianRelError(i => FromLogRatio(i, lightGbm[i])), null),
};
Console.WriteLine("| predictor | median abs rel error | interval [p10, p90] coverage |\n|---|---:|---:|");
foreach (var (name, error, coverage) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {error:0.000} | {(coverage is { } c ? c.ToString("0.000", CultureInfo.InvariantCulture) : "none")} |"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"empirical_median_abs_rel_error={results[1].Error:0.000}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"empirical_interval_coverage={results[1].Coverage:0.000}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fasttree_median_abs_rel_error={results[2].Error:0.000}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lightgbm_median_abs_rel_error={results[3].Error:0.000}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"user_limit_median_abs_rel_error={results[0].Error:0.000}"));
return 0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted[(sorted.Length - 1) / 2];
}

static List<Job> Read(string path)
{
    using var reader = new StreamReader(path);
    var header = reader.ReadLine()!.Split(',');
    int Col(string name) => Array.IndexOf(header, name);
    var (user, gpus, interval, run, wall) = (Col("user"), Col("gpu_num"), Col("interval"), Col("run_time"), Col("wall_time"));
    var jobs = new List<Job>();
    var submit = 0L;
    while (reader.ReadLine() is { } line)
    {
        var f = line.Split(',');
        submit += long.Parse(f[interval], CultureInfo.InvariantCulture);
        var g = int.Parse(f[gpus], CultureInfo.InvariantCulture);
        var requested = long.Parse(f[wall], CultureInfo.InvariantCulture);
        var actual = Math.Max(1, long.Parse(f[run], CultureInfo.InvariantCulture));
        if (g > 0 && requested > 0)
        {
            jobs.Add(new Job(f[user], g, TimeSpan.FromSeconds(requested), TimeSpan.FromSeconds(Math.Min(actual, requested)), submit));
        }
    }
    return jobs;
}

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "estimates", "bluewaters-gpu", "blue_waters_data_training.csv");
        if (File.Exists(candidate))
        {
            return Path.GetFullPath(candidate);
        }
    }
    throw new FileNotFoundException("../shared/data/estimates/bluewaters-gpu/blue_waters_data_training.csv not found; pass --data FILE");
}

internal sealed record Job(string User, int Gpus, TimeSpan Requested, TimeSpan Actual, long SubmitS)
{
    public RuntimeObservation Observation => new(User, "", Gpus, Requested, Actual, DateTimeOffset.UnixEpoch.AddSeconds(SubmitS + Actual.TotalSeconds));
}

internal sealed class Row
{
    public string User { get; set; } = "";
    public float Gpus { get; set; }
    public float LogRequested { get; set; }
    public float Label { get; set; }

    public static Row Of(Job j) => new()
    {
        User = j.User, Gpus = j.Gpus, LogRequested = (float)Math.Log(j.Requested.TotalSeconds),
        Label = (float)Math.Log(Math.Max(j.Actual / j.Requested, RuntimeLearner.MinRatio)),
    };
}

internal sealed class Scored
{
    public float Score { get; set; }
}
