namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>The whole derivation: captured submits in the EF Core log, their values in the PostgreSQL log, out comes the script.</summary>
internal static class ScriptDerivation
{
    public static (PgbenchScript Script, SubmitShape Shape, int Captured) Derive(
        IEnumerable<string> efLogLines, IEnumerable<string> postgresLogLines, string requestPath)
    {
        var requests = EfCommandLog.Read(efLogLines, requestPath);
        if (requests.Count == 0)
        {
            throw new InvalidDataException($"The EF Core log holds no commands of requests to {requestPath} (is command logging on?).");
        }
        var shape = SubmitShape.Of(requests[0]);
        if (requests.FirstOrDefault(r => SubmitShape.Of(r).Signature != shape.Signature) is { } odd)
        {
            throw new InvalidDataException($"Request {odd.RequestId} issued other SQL than {requests[0].RequestId}; the captured submits must be alike.");
        }
        var values = CapturedValues.Match(shape, requests.Count, PostgresLog.ReadExecutes(postgresLogLines));
        return (PgbenchScript.Render(shape, BindingPlanner.Plan(shape, values), requests.Count), shape, requests.Count);
    }
}
