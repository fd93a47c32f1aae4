using Hosting.Core.Accounts;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Model;

/// <summary>
/// Iteration counts and figures of the model-based concurrency tests: short in CI, long in the
/// Torture target through <c>HOSTING_MODEL_ITERATIONS</c>.
/// </summary>
public static class ModelRuns
{
    public const string IterationsVariable = "HOSTING_MODEL_ITERATIONS";

    /// <summary>Where the Torture target collects figures: one line per finished run.</summary>
    public const string FiguresVariable = "HOSTING_TORTURE_FIGURES";

    /// <summary>The histories to check: the variable's value, or <paramref name="ci"/>.</summary>
    public static int Iterations(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var n) && n > 0 ? n : ci;

    /// <summary>A fixed seed for CI (reproducible); another one from <c>HOSTING_MODEL_SEED</c>.</summary>
    public static string? Seed => Environment.GetEnvironmentVariable("HOSTING_MODEL_SEED") is { Length: > 0 } seed ? seed : null;

    /// <summary>
    /// Checks that parallel histories of the operations, after up to <paramref name="maxSequential"/>
    /// sequential ones, match some sequential order on the model (CsCheck shrinks a failure to a
    /// minimal history); the world and the model compare by their descriptions.
    /// </summary>
    public static Task CheckLinearizableAsync<TWorld, TModel>(
        CsCheck.Gen<(TWorld, TModel)> initial, CsCheck.GenOperation<TWorld, TModel>[] operations,
        Func<TWorld, string> actual, Func<TModel, string> model, int maxSequential, int iterations)
    {
        // The worlds block their sampling threads on each call (CsCheck's operations are synchronous)
        // while the calls' own continuations need pool threads; a request waiting on another's row
        // lock then starved the pool until Npgsql's connection attempts timed out. Enough threads
        // up front keep the histories about the product, not about the test's thread pool.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        return Task.Run(() => CsCheck.Check.SampleParallel(
            initial,
            operations,
            equal: (w, m) => actual(w) == model(m),
            seed: Seed ?? "0N0XIzNsQ0O2",
            maxSequentialOperations: maxSequential,
            maxParallelOperations: 4,
            iter: iterations,
            threads: 4,
            printActual: actual,
            printModel: model,
            replay: 5));
    }

    /// <summary>Appends a figure line for the Torture target's report, when it asks for them.</summary>
    public static void Record(string line)
    {
        if (Environment.GetEnvironmentVariable(FiguresVariable) is { Length: > 0 } path)
        {
            lock (typeof(ModelRuns))
            {
                File.AppendAllText(path, line + Environment.NewLine);
            }
        }
    }

    /// <summary>A request for a new organization held by a person.</summary>
    public static Hosting.Organizations.V1.CreateOrganizationRequest NewOrganization() => new()
    {
        ContactDetails = new Hosting.Organizations.V1.ContactDetails
        {
            Kind = Hosting.Organizations.V1.HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
        },
    };

    /// <summary>The host in process on this store (PostgreSQL skipped unless configured).</summary>
    public static HostFactory Host(bool postgres) => postgres ? new PostgresHostFactory() : new HostFactory();

    /// <summary>The signed-in user behind a bearer token, as the host authenticates it.</summary>
    public static AuthenticatedUser User(HostFactory host, global::Grpc.Core.Metadata bearer)
    {
        var token = bearer.Get("authorization")!.Value["Bearer ".Length..];
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<AccountService>().AuthenticateAsync(token).GetAwaiter().GetResult().Value;
    }

    /// <summary>
    /// As <see cref="Call{T}"/>, sending the request again while another request under its id is still at work on
    /// its charge (ABORTED REQUEST_IN_PROGRESS), as a client does.
    /// </summary>
    public static global::Hosting.Core.Shared.Result<T> Answered<T>(HostFactory host, Func<IServiceProvider, Task<global::Hosting.Core.Shared.Result<T>>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = Call(host, call);
            if (result.IsSuccess || result.Error.Reason != global::Hosting.Core.Wallets.WalletErrors.RequestInProgress.Reason || attempt == 5_000)
            {
                return result;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Runs <paramref name="call"/> in its own scope (a request's unit of work), retrying with the same arguments when the store gave up on a conflict, as a client does.</summary>
    public static T Call<T>(HostFactory host, Func<IServiceProvider, Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var scope = host.Services.CreateScope();
                return call(scope.ServiceProvider).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is global::Hosting.Core.Shared.ConcurrencyConflictException or global::Hosting.Core.Shared.DuplicateKeyException && attempt < 20)
            {
                // The host answers both ABORTED CONCURRENT_MODIFICATION ("try again"), so the client
                // sends the request again: the request's own retries ran out under contention, or a
                // concurrent request inserted the same row first (two accepts of one invitation).
            }
        }
    }
}
