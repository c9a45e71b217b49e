namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>An EC2 error answer: the code, a message and the HTTP status EC2 uses for that code.</summary>
public sealed class Ec2Error(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public int Status => StatusFor(Code);

    public static int StatusFor(string code) => code switch
    {
        "InsufficientInstanceCapacity" or "InternalError" => 500,
        "Unavailable" or "RequestLimitExceeded" => 503,
        "AuthFailure" or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken" => 401,
        "UnauthorizedOperation" or "OptInRequired" => 403,
        _ => 400,
    };
}
