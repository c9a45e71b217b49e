namespace Broker.Api.Hosting;

/// <summary>
/// Broker's OpenAPI document (/openapi/v1.json), kept lint clean under Redocly's recommended rules
/// (tests/Broker.Api.Tests/OpenApi): every operation names itself with <c>.WithName("verbNoun")</c> at its endpoint, which
/// becomes its operationId; the refusals the pipeline gives every operation are added here, by one rule each.
/// </summary>
public static class OpenApiDocumentSetup
{
    public static IServiceCollection AddBrokerOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer<BearerSecurityTransformer>();
        options.AddDocumentTransformer<ServerUrlTransformer>();
        options.AddDocumentTransformer<TagDescriptionsTransformer>();
        options.AddOperationTransformer<PipelineRefusalsTransformer>();
        options.AddSchemaTransformer<ProblemSchemaTransformer>();
    });
}
