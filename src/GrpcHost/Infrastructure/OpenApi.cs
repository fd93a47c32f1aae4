namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Where the host serves the OpenAPI document of its HTTP/JSON routes (generated from the protos).</summary>
public static class OpenApi
{
    /// <summary>The document's name, also its version.</summary>
    public const string DocumentName = "v1";

    /// <summary>The path of the document; docs/openapi.json is a copy of what it serves.</summary>
    public const string Path = "/openapi/v1.json";
}
