using System.ComponentModel.DataAnnotations;

namespace Broker.Api.Input;

/// <summary>The string, when present, is single-line text by <see cref="TextRules.IsSingleLine"/> (names people read).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SingleLineTextAttribute : ValidationAttribute
{
    public SingleLineTextAttribute() : base(TextRules.SingleLineRule)
    {
    }

    public override bool IsValid(object? value) => value is not string text || TextRules.IsSingleLine(text);
}
