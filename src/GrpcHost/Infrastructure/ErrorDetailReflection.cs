using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Reflection;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>
/// Server reflection that also serves google/rpc/status.proto and error_details.proto. Errors carry
/// ErrorInfo, BadRequest, PreconditionFailure and RetryInfo packed in Any; a tool that knows the API
/// from reflection alone (buf curl, grpcui) can decode them only if reflection names their types, and
/// no service of the API refers to them, so the framework's reflection would leave them out.
/// </summary>
internal static class ErrorDetailReflection
{
    /// <summary>The files served beside the services' own: every message the error mapper attaches.</summary>
    public static readonly Google.Protobuf.Reflection.FileDescriptor[] ErrorFiles =
    [
        Google.Rpc.StatusReflection.Descriptor,
        Google.Rpc.ErrorDetailsReflection.Descriptor,
    ];

    /// <summary>Registers both reflection versions (v1 and v1alpha) over the mapped services and the error files.</summary>
    public static IServiceCollection AddGrpcReflectionWithErrorDetails(this IServiceCollection services)
    {
        services.AddSingleton(provider => Served.From(provider.GetRequiredService<EndpointDataSource>()));
        services.AddSingleton(provider => provider.GetRequiredService<Served>().V1Alpha());
        services.AddSingleton(provider => provider.GetRequiredService<Served>().V1());
        // Registered after ours: its TryAdd keeps the implementations above and adds what mapping needs.
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>The services mapped on the host, read from its endpoints once they exist (as the framework does).</summary>
    private sealed record Served(IReadOnlyList<string> Names, SymbolRegistry Registry)
    {
        public static Served From(EndpointDataSource endpoints)
        {
            var descriptors = endpoints.Endpoints
                .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
                .OfType<GrpcMethodMetadata>()
                .Select(m => m.ServiceType)
                .Distinct()
                .Select(DescriptorOf)
                .OfType<Google.Protobuf.Reflection.ServiceDescriptor>()
                .ToList();
            return new Served(
                [.. descriptors.Select(d => d.FullName)],
                SymbolRegistry.FromFiles(descriptors.Select(d => d.File).Concat(ErrorFiles)));
        }

        public ReflectionServiceImpl V1Alpha() => new(Names, Registry);

        public ReflectionV1ServiceImpl V1() => new(Names, Registry);

        /// <summary>Generated service bases carry [BindServiceMethod(typeof(Xyz))], whose static Descriptor describes the service.</summary>
        private static Google.Protobuf.Reflection.ServiceDescriptor? DescriptorOf(Type serviceType)
        {
            for (var type = serviceType; type is not null; type = type.BaseType)
            {
                if (type.GetCustomAttribute<BindServiceMethodAttribute>() is { } bind)
                {
                    return bind.BindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as Google.Protobuf.Reflection.ServiceDescriptor;
                }
            }

            return null;
        }
    }
}
