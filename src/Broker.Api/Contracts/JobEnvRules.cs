using Broker.Core.Secrets;

namespace Broker.Api.Contracts;

/// <summary>Field errors for a submission's <c>env</c> and <c>secretEnv</c> (ADR 0015), keyed <c>env.NAME</c>, <c>secretEnv.NAME</c>.</summary>
public static class JobEnvRules
{
    public static void Check(Dictionary<string, string>? env, Dictionary<string, string>? secretEnv, Dictionary<string, string[]> errors)
    {
        var plain = env ?? [];
        var secret = secretEnv ?? [];
        if (plain.Count + secret.Count > JobEnvironmentRules.MaxVariables)
        {
            errors["env"] = [$"At most {JobEnvironmentRules.MaxVariables} variables in env and secretEnv together."];
        }
        var total = 0;
        foreach (var (name, value) in plain)
        {
            total += JobEnvironmentRules.Utf8Bytes(name) + JobEnvironmentRules.Utf8Bytes(value ?? "");
            if (!JobEnvironmentRules.IsVariableName(name))
            {
                errors[Field("env", name)] = [JobEnvironmentRules.NameRule];
            }
            else if (value is null || !JobEnvironmentRules.IsValueText(value) || JobEnvironmentRules.Utf8Bytes(value) > JobEnvironmentRules.MaxPlainValueBytes)
            {
                errors[Field("env", name)] = [$"Values are strings of at most {JobEnvironmentRules.MaxPlainValueBytes} bytes. {JobEnvironmentRules.ValueRule}"];
            }
            else if (secret.ContainsKey(name))
            {
                errors[Field("env", name)] = ["A variable is in env or in secretEnv, not both."];
            }
        }
        if (total > JobEnvironmentRules.MaxPlainTotalBytes && !errors.ContainsKey("env"))
        {
            errors["env"] = [$"env holds at most {JobEnvironmentRules.MaxPlainTotalBytes} bytes of names and values."];
        }
        foreach (var (name, secretName) in secret)
        {
            if (!JobEnvironmentRules.IsVariableName(name))
            {
                errors[Field("secretEnv", name)] = [JobEnvironmentRules.NameRule];
            }
            else if (!JobEnvironmentRules.IsSecretName(secretName))
            {
                errors[Field("secretEnv", name)] = ["Each value is the name of a registered secret (GET /v1/secrets). " + JobEnvironmentRules.SecretNameRule];
            }
        }
    }

    /// <summary>The field path; a name that is not single-line text is not echoed into the answer (it could forge log lines).</summary>
    private static string Field(string map, string name) =>
        Input.TextRules.IsSingleLine(name) && name.Length <= 128 ? $"{map}.{name}" : map;
}
