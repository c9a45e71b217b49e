using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// One row of the hostile-input table: a request built against the prepared targets and the exact status issue 9's
/// rules (or the API's documented behaviour where the issue is silent) give it. Problem documents are expected on every
/// refusal except where third-party middleware answers (the Hangfire dashboard) and on the allowed-read rows.
/// </summary>
public sealed record HostileCase(string Category, string Name, int Expected, Func<HostileTargets, HostileRequest> Build, bool ProblemDocument = true)
{
    public string Id => $"{Category}: {Name}";
}

/// <summary>Cases by id, so xUnit lists each row on its own with a readable, serializable name.</summary>
public sealed class CaseTable
{
    private readonly Dictionary<string, HostileCase> cases = new(StringComparer.Ordinal);

    public CaseTable(IEnumerable<HostileCase> rows)
    {
        foreach (var row in rows)
        {
            if (!cases.TryAdd(row.Id, row))
            {
                throw new InvalidOperationException($"Two hostile cases are named '{row.Id}'.");
            }
        }
    }

    public HostileCase this[string id] => cases[id];

    public int Count => cases.Count;

    public TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var id in cases.Keys)
        {
            data.Add(id);
        }
        return data;
    }
}
