using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The accounts store on EF Core; one instance per request (one unit of work).</summary>
public sealed class EfAccountStore(HostingDbContext db) : IAccountStore
{
    /// <inheritdoc />
    public Task<UserAccount?> FindAccountByLoginAsync(EmailAddress login, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).AccountByLogin(db, login, cancellationToken);

    /// <inheritdoc />
    public Task<UserAccount?> FindAccountAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<UserAccount>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);

    /// <inheritdoc />
    public Task<SessionWithLogin?> FindSessionWithLoginAsync(string tokenDigest, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).SessionWithLogin(db, tokenDigest, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Session>> ListActiveSessionsAsync(Guid accountId, DateTimeOffset now, DateTimeOffset usedSince, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Session>().Where(s => s.AccountId == accountId && s.EndedAt == null && s.ExpiresAt > now && s.LastUsedAt > usedSince);
        query = query.After(after, s => s.CreatedAt, s => s.Id, descending: true);

        return await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<LoginThrottle?> FindThrottleAsync(string loginDigest, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).Throttle(db, loginDigest, cancellationToken);

    /// <inheritdoc />
    public Task<bool> IsKnownSourceAsync(Guid accountId, SignInSourceKind kind, string digest, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).KnownSource(db, accountId, kind, digest, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ActivityEntry>> ListActivityAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<ActivityEntry>().Where(e => e.AccountId == accountId);
        query = query.After(after, e => e.At, e => e.Id, descending: true);

        return await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<PasswordResetToken?> FindResetTokenAsync(string tokenDigest, CancellationToken cancellationToken) =>
        db.Set<PasswordResetToken>().FirstOrDefaultAsync(t => t.TokenDigest == tokenDigest, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<PasswordResetToken>> ListOpenResetTokensAsync(Guid accountId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Set<PasswordResetToken>().Where(t => t.AccountId == accountId && t.UsedAt == null && t.ExpiresAt > now).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxMessage>> PendingResetRequestsAsync(int max, CancellationToken cancellationToken) =>
        await db.Set<OutboxMessage>()
            .Where(m => m.Kind == NotificationKinds.PasswordResetRequest && m.SentAt == null)
            .OrderBy(m => m.CreatedAt)
            .Take(max)
            .ToListAsync(cancellationToken);

    /// <inheritdoc />
    public Task<LoginConfirmation?> FindLoginConfirmationAsync(Guid accountId, CancellationToken cancellationToken) =>
        db.Set<LoginConfirmation>().FirstOrDefaultAsync(c => c.AccountId == accountId, cancellationToken);

    /// <inheritdoc />
    public Task<Guid?> FindCurrentOrganizationAsync(Guid accountId, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).CurrentOrganization(db, accountId, cancellationToken);

    /// <inheritdoc />
    public Task<int> CountActivitySinceAsync(Guid accountId, ActivityKind kind, DateTimeOffset since, CancellationToken cancellationToken) =>
        db.Set<ActivityEntry>().CountAsync(e => e.AccountId == accountId && e.Kind == kind && e.At > since, cancellationToken);

    /// <inheritdoc />
    public void Remove(object entity) => db.Remove(entity);

    /// <inheritdoc />
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
