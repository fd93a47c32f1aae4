// Build script: `dotnet tool restore && dotnet cake --target=<Build|Test|Pack|CI|Bench|Torture|Mutate>`.
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./Hosting.slnx";
var artifacts = Directory("./artifacts");

Task("Clean")
    .Does(() => CleanDirectory(artifacts));

Task("Build")
    .Does(() => DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration }));

Task("Test")
    .IsDependentOn("Build")
    .Does(() => DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        ResultsDirectory = artifacts + Directory("test-results"),
        Loggers = new[] { "trx" },
    }));

// Core as a NuGet package with its XML documentation, for .NET services that embed it.
Task("Pack")
    .IsDependentOn("Build")
    .Does(() => DotNetPack("./src/Core/Hosting.Core.csproj", new DotNetPackSettings
    {
        Configuration = configuration,
        NoBuild = true,
        OutputDirectory = artifacts + Directory("packages"),
    }));

// Performance figures against references measured in the same run (not part of CI, about 10 minutes):
// writes docs/performance.md and docs/performance.json; needs root (apt-get, a throwaway PostgreSQL).
Task("Bench")
    .Does(() =>
    {
        DotNetBuild(solution, new DotNetBuildSettings { Configuration = "Release" });
        var exitCode = StartProcess("bash", new ProcessSettings { Arguments = "tests/LoadDriver/bench.sh" });
        if (exitCode != 0)
        {
            throw new Exception($"tests/LoadDriver/bench.sh exited with {exitCode}");
        }
    });

// Proof at depth (not part of CI, at most 60 minutes on 2 cores): the model-based concurrency tests at
// long iteration counts, the RPC fuzz at 1,000 requests per RPC and the crash campaign, on SQLite and a
// throwaway PostgreSQL; writes its figures to docs/reliability.md. Needs root for the PostgreSQL cluster.
Task("Torture")
    .Does(() =>
    {
        var exitCode = StartProcess("bash", new ProcessSettings { Arguments = "tests/Torture/torture.sh" });
        if (exitCode != 0)
        {
            throw new Exception($"tests/Torture/torture.sh exited with {exitCode}");
        }
    });

// Mutation testing of src/Core with Stryker.NET (not part of CI; on 2 shared cores about 15 minutes of build and
// test runs before the first mutant, then under 10 mutants a minute, so an hour or more per rule folder):
// writes the score per Core folder to docs/reliability.md. `--folders=Wallets,Billing` limits the run.
Task("Mutate")
    .Does(() =>
    {
        var folders = Argument("folders", "").Replace(",", " ");
        var exitCode = StartProcess("bash", new ProcessSettings { Arguments = ("tests/Mutate/mutate.sh " + folders).Trim() });
        if (exitCode != 0)
        {
            throw new Exception($"tests/Mutate/mutate.sh exited with {exitCode}");
        }
    });

Task("CI")
    .IsDependentOn("Clean")
    .IsDependentOn("Test")
    .IsDependentOn("Pack");

RunTarget(target);
