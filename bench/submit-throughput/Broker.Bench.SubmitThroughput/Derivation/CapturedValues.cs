namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>
/// The values each captured submit bound to each statement's parameters, found by pairing EF Core's statements (in order)
/// with the executions the server logged for them.
/// </summary>
internal static class CapturedValues
{
    /// <returns>Per submit: (statement index, parameter name) to the bound value; null is SQL NULL.</returns>
    public static IReadOnlyList<IReadOnlyDictionary<(int Statement, string Parameter), string?>> Match(
        SubmitShape shape, int submits, IReadOnlyList<PgExecute> executes)
    {
        var statements = shape.Statements.Select(s => (Statement: s, Wire: SqlText.Normalize(SqlText.Positional(s.Sql)))).ToList();
        var result = new List<IReadOnlyDictionary<(int, string), string?>>();
        var cursor = 0;
        for (var submit = 0; submit < submits; submit++)
        {
            var values = new Dictionary<(int, string), string?>();
            foreach (var (statement, wire) in statements)
            {
                while (cursor < executes.Count && SqlText.Normalize(executes[cursor].Sql) != wire)
                {
                    cursor++;
                }
                if (cursor == executes.Count)
                {
                    throw new InvalidDataException(
                        $"The PostgreSQL log has no execution of statement {statement.Index + 1} of submit {submit + 1}: {wire}");
                }
                var bound = executes[cursor++].Parameters;
                if (bound.Count != statement.Parameters.Count)
                {
                    throw new InvalidDataException(
                        $"Statement {statement.Index + 1} has {statement.Parameters.Count} parameters but the server logged {bound.Count}: {wire}");
                }
                for (var i = 0; i < bound.Count; i++)
                {
                    values[(statement.Index, statement.Parameters[i])] = bound[i];
                }
            }
            result.Add(values);
        }
        return result;
    }
}
