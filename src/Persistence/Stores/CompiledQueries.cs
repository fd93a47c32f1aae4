using System.Runtime.CompilerServices;
using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Hosting.Persistence.Stores;

/// <summary>
/// The lookups every request or payment makes, compiled once: EF's per-call translation-cache
/// lookup (funcletizing and hashing the expression) was about a fifth of the host's CPU per payment.
/// A compiled query keeps the first provider it ran on, so each model (SQLite's, PostgreSQL's, an
/// embedder's) gets its own set.
/// </summary>
internal sealed class CompiledQueries
{
    private static readonly ConditionalWeakTable<IModel, CompiledQueries> PerModel = new();

    public static CompiledQueries For(DbContext db) => PerModel.GetValue(db.Model, static _ => new CompiledQueries());

    /// <summary>The session (tracked) with its account's login state: one statement per authenticated call.</summary>
    public Func<HostingDbContext, string, CancellationToken, Task<SessionWithLogin?>> SessionWithLogin { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, string digest, CancellationToken ct) =>
            db.Set<Session>().Where(s => s.TokenDigest == digest)
                .Join(db.Set<UserAccount>(), s => s.AccountId, a => a.Id, (s, a) => new SessionWithLogin(s, new LoginState(a.LoginConfirmed, a.CreatedAt, a.Login)))
                .FirstOrDefault());

    public Func<HostingDbContext, Guid, CancellationToken, Task<Guid?>> CurrentOrganization { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, Guid accountId, CancellationToken ct) =>
            db.Set<UserAccount>().Where(a => a.Id == accountId).Select(a => a.CurrentOrganizationId).FirstOrDefault());

    /// <summary>The organization with one member's row (none when the account is <see cref="Guid.Empty"/>).</summary>
    public Func<HostingDbContext, Guid, Guid, CancellationToken, Task<Organization?>> OrganizationWithMember { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, Guid id, Guid accountId, CancellationToken ct) =>
            db.Set<Organization>().Include(o => o.Memberships.Where(m => m.AccountId == accountId)).FirstOrDefault(o => o.Id == id));

    /// <summary>The account signing in, by its login.</summary>
    public Func<HostingDbContext, EmailAddress, CancellationToken, Task<UserAccount?>> AccountByLogin { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, EmailAddress login, CancellationToken ct) =>
            db.Set<UserAccount>().FirstOrDefault(a => a.Login == login));

    /// <summary>The failed sign-ins counted against a login.</summary>
    public Func<HostingDbContext, string, CancellationToken, Task<LoginThrottle?>> Throttle { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, string loginDigest, CancellationToken ct) =>
            db.Set<LoginThrottle>().FirstOrDefault(t => t.LoginDigest == loginDigest));

    /// <summary>Whether a sign-in comes from a place or device the account has used (ACC-5).</summary>
    public Func<HostingDbContext, Guid, SignInSourceKind, string, CancellationToken, Task<bool>> KnownSource { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, Guid accountId, SignInSourceKind kind, string digest, CancellationToken ct) =>
            db.Set<KnownSignInSource>().Any(s => s.AccountId == accountId && s.Kind == kind && s.Digest == digest));

    public Func<HostingDbContext, Guid, string, CancellationToken, Task<Wallet?>> Wallet { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, Guid organizationId, string currency, CancellationToken ct) =>
            db.Set<Wallet>().FirstOrDefault(w => w.OrganizationId == organizationId && w.Currency == currency));

    public Func<HostingDbContext, string, CancellationToken, Task<ChargeAttempt?>> ChargeAttempt { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, string key, CancellationToken ct) =>
            db.Set<ChargeAttempt>().FirstOrDefault(a => a.Key == key));

    public Func<HostingDbContext, string, CancellationToken, Task<IdempotencyRecord?>> Idempotency { get; } =
        EF.CompileAsyncQuery((HostingDbContext db, string key, CancellationToken ct) =>
            db.Set<IdempotencyRecord>().FirstOrDefault(r => r.Key == key));
}

