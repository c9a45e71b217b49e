using System.Diagnostics;
using System.Globalization;
using System.Text;
using Broker.Core.Provisioning;
using Broker.HostileInput.Fuzzing;
using Broker.HostileInput.Requests;

// Driven by run.sh:  --url U --admin-key K --connection CS --callback-secret S [--seconds 60] [--seed 1]
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}
string Option(string name, string? fallback = null) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");
var seconds = int.Parse(Option("seconds", "60"), CultureInfo.InvariantCulture);
var seed = int.Parse(Option("seed", "1"), CultureInfo.InvariantCulture);
var connection = Option("connection");
var tokens = CallbackTokens.FromConfiguredSecret(Option("callback-secret"));

// Latin-1 header bytes, so a non-ASCII header value reaches Kestrel (which refuses it) instead of failing in the client.
using var handler = new SocketsHttpHandler
{
    AllowAutoRedirect = false,
    UseCookies = false,
    RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
};
using var client = new HttpClient(handler) { BaseAddress = new Uri(Option("url")), Timeout = TimeSpan.FromSeconds(60) };
// One connection per request: Kestrel closes a connection after some refusals (a 413 with the body unread, a malformed
// request line), and a request that happened to be sent next on it would fail for a reason that is not its own.
client.DefaultRequestHeaders.ConnectionClose = true;

var targets = await TargetSetup.PrepareAsync(client, Option("admin-key"), connection, (allocation, kind) => tokens.ValidFor(allocation, kind));
var clock = Stopwatch.StartNew();
var verdict = await new FuzzRun(client, targets, seed).RunAsync(connection, _ => clock.Elapsed < TimeSpan.FromSeconds(seconds));
var ledger = verdict.Ledger;

Console.WriteLine($"seed={seed}");
Console.WriteLine($"seconds={clock.Elapsed.TotalSeconds:0.0}");
Console.WriteLine("statuses=" + string.Join(',', ledger.Statuses.Select(s => $"{s.Key}:{s.Value}")));
Console.WriteLine($"accepted={ledger.Accepted}");
Console.WriteLine($"created={ledger.Created}");
Console.WriteLine($"non_problem_4xx={ledger.NonProblem4xx} (" + string.Join(',', ledger.NonProblemStatuses.Select(s => $"{s.Key}:{s.Value}")) + ")");
Console.WriteLine($"client_refused={ledger.ClientRefused}");
Console.WriteLine($"transport_errors={ledger.TransportErrors}");
foreach (var failure in ledger.Failures)
{
    Console.WriteLine("failure: " + failure);
}
foreach (var row in verdict.ChangedRows.Take(20))
{
    Console.WriteLine("changed by a rejected request: " + row);
}
foreach (var violation in verdict.Violations)
{
    Console.WriteLine($"inconsistent: {violation.Check}: {violation.Rows} rows, e.g. {violation.Example}");
}
Console.WriteLine($"inconsistencies={verdict.Violations.Sum(v => v.Rows)}");
Console.WriteLine($"requests={ledger.Requests}");
Console.WriteLine($"status_5xx={ledger.Status5xx}");
Console.WriteLine($"rows_changed_by_rejected={verdict.RowsChangedByRejected}");
return ledger.Status5xx > 0 || verdict.RowsChangedByRejected > 0 || verdict.Violations.Count > 0 ? 1 : 0;
