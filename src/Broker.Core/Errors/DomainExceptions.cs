namespace Broker.Core.Errors;

/// <summary>Base for errors the API maps onto problem documents; the message is safe to show to the caller.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The resource does not exist or the caller may not know it exists (404).</summary>
public sealed class NotFoundException(string resource, object id) : DomainException($"{resource} '{id}' was not found.");

/// <summary>The request clashes with the resource's current state (409).</summary>
public sealed class ConflictException(string message) : DomainException(message);

/// <summary>Well-formed input that breaks a domain rule (422), with the offending fields.</summary>
public sealed class RuleViolationException(string message, IReadOnlyDictionary<string, string[]> errors) : DomainException(message)
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RuleViolationException For(string field, string error) =>
        new(error, new Dictionary<string, string[]> { [field] = [error] });
}

/// <summary>The caller is authenticated but its role or team does not allow this (403).</summary>
public sealed class ForbiddenException(string message) : DomainException(message);

/// <summary>The caller's If-Match names a version that is no longer current (412).</summary>
public sealed class PreconditionFailedException(string message) : DomainException(message);

/// <summary>A write that needs If-Match came without one (428).</summary>
public sealed class PreconditionRequiredException(string message) : DomainException(message);
