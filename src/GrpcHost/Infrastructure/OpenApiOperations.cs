using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>
/// Finishes each operation of the OpenAPI document: an RPC answering google.api.HttpBody sends
/// its bytes as the response body (the invoice PDF, the only one), not the HttpBody message as
/// JSON; and the linter's exceptions among the proto comments are not part of a summary.
/// </summary>
internal sealed class OpenApiOperations : IOperationFilter, IDocumentFilter
{
    /// <inheritdoc />
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        // A document filter: it runs after the XML comments' operation filter has set the summaries.
        foreach (var operation in swaggerDoc.Paths.Values.SelectMany(p => p.Operations.Values))
        {
            if (operation.Summary is { } summary)
            {
                operation.Summary = string.Join('\n', summary.Split('\n').Where(l => !l.TrimStart().StartsWith("buf:lint:", StringComparison.Ordinal)));
            }
        }
    }

    /// <inheritdoc />
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var method = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault()?.MethodDescriptor;
        if (method?.OutputType.FullName == Google.Api.HttpBody.Descriptor.FullName && operation.Responses.TryGetValue("200", out var ok))
        {
            ok.Content.Clear();
            ok.Content["application/pdf"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = "string", Format = "binary" } };
        }
    }
}
