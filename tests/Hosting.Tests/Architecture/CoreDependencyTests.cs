using System.Xml.Linq;

using Hosting.Tests.Support;

namespace Hosting.Tests.Architecture;

public sealed class CoreDependencyTests
{
    private static readonly string[] Forbidden = ["Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Grpc", "Google.Protobuf", "Npgsql"];

    [Fact]
    public void CoreAssembly_ReferencesNoEfAspNetOrGrpcAssembly()
    {
        var referenced = typeof(Hosting.Core.Accounts.AccountService).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, name => Forbidden.Any(f => name.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
        Assert.Contains("Isopoh.Cryptography.Argon2", referenced);
    }

    [Fact]
    public void CoreProject_HasNoEfAspNetOrGrpcPackageOrFrameworkReference()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot.Path, "src", "Core", "Hosting.Core.csproj"));

        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")!.Value);
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => e.Attribute("Include")!.Value)
            .ToList();
        Assert.DoesNotContain(references, r => Forbidden.Any(f => r.Contains(f, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(references, r => r.Contains("Persistence", StringComparison.OrdinalIgnoreCase) || r.Contains("GrpcHost", StringComparison.OrdinalIgnoreCase));
    }
}
