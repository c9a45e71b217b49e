using Broker.Core.Errors;

namespace Broker.Api.Contracts;

public static class JobIds
{
    /// <summary>An id that is not even a GUID names no job: 404, like any other unknown id.</summary>
    public static Guid Parse(string id) => Guid.TryParse(id, out var guid) ? guid : throw new NotFoundException("job", id);
}

public static class IdempotencyKeys
{
    public const string Rule = "An Idempotency-Key is 1-128 visible ASCII characters.";

    public static bool IsValid(string key) => key.Length is > 0 and <= 128 && key.All(c => c is > ' ' and <= '~');
}
