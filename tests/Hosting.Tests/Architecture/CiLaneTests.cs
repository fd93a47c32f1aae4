using System.Text.RegularExpressions;
using Hosting.Tests.Support;

namespace Hosting.Tests.Architecture;

/// <summary>The CI lanes and samples as a fresh clone meets them.</summary>
public sealed partial class CiLaneTests
{
    [Fact]
    public void LanesThatStartTheHostWithoutBuilding_BuildItThemselvesFirst()
    {
        var lanes = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, ".ci"), "*.sh");
        Assert.NotEmpty(lanes);
        foreach (var lane in lanes)
        {
            var lines = File.ReadAllLines(lane);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains("dotnet run", StringComparison.Ordinal) && lines[i].Contains("--no-build", StringComparison.Ordinal))
                {
                    // On a fresh clone nothing is built yet: the lane would wait for a host that never starts.
                    Assert.True(lines[..i].Any(l => BuildLine().IsMatch(l)), $"{Path.GetFileName(lane)}:{i + 1} runs the host with --no-build without building it first");
                }
            }
        }
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public void VendoredErrorDetails_CarryGooglesFieldNumbers_AndReadWithProtoc3()
    {
        var details = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "protos", "google", "rpc", "error_details.proto"));
        var violation = details[details.IndexOf("message FieldViolation {", StringComparison.Ordinal)..];

        // The number the host writes (Google.Api.CommonProtos) is the number clients decode.
        Assert.Contains($"string reason = {Google.Rpc.BadRequest.Types.FieldViolation.ReasonFieldNumber};", violation, StringComparison.Ordinal);
        Assert.Contains($"LocalizedMessage localized_message = {Google.Rpc.BadRequest.Types.FieldViolation.LocalizedMessageFieldNumber};", violation, StringComparison.Ordinal);
        // protoc before 3.15 refuses `optional` in proto3 files.
        Assert.DoesNotMatch(OptionalField(), details);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "protos", "google", "rpc", "status.proto")));
        // The Node sample reads Google's files, not a copy of its own.
        Assert.False(Directory.Exists(Path.Combine(RepositoryRoot.Path, "samples", "node", "rpc")));
        Assert.Contains("google/rpc/error_details.proto", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "node", "journey.js")), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public void GettingStartedGuide_IsRunByALaneThatCiRuns_AndTheReadmeLinksIt()
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "getting-started.md"));

        // The lane runs ```sh blocks and starts the host from ```sh host blocks: a guide without them proves nothing.
        Assert.Contains("```sh host\ndotnet run --project src/GrpcHost --", guide, StringComparison.Ordinal);
        Assert.True(guide.Split("```sh\n").Length > 5);
        Assert.Contains("bash .ci/getting-started-lane.sh", File.ReadAllText(Path.Combine(RepositoryRoot.Path, ".ci", "run")), StringComparison.Ordinal);
        Assert.Contains("docs/getting-started.md", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*dotnet build\b")]
    private static partial Regex BuildLine();

    [GeneratedRegex(@"^\s*optional\s", RegexOptions.Multiline)]
    private static partial Regex OptionalField();
}
