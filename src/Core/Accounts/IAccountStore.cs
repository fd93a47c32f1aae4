using Hosting.Core.Notifications;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>
/// What the accounts domain needs from a store. Changes to loaded objects and added objects
/// are committed together, atomically, by <see cref="SaveChangesAsync"/>.
/// </summary>
public interface IAccountStore
{
    /// <summary>The account with this login, if any.</summary>
    Task<UserAccount?> FindAccountByLoginAsync(EmailAddress login, CancellationToken cancellationToken);

    /// <summary>The account with this id, if any.</summary>
    Task<UserAccount?> FindAccountAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// The session whose token has this digest (tracked, so that it can be touched) with its account's
    /// login state, in one read; null when there is no such session or its account is gone.
    /// </summary>
    Task<SessionWithLogin?> FindSessionWithLoginAsync(string tokenDigest, CancellationToken cancellationToken);

    /// <summary>
    /// The account's sessions active at <paramref name="now"/> and used since <paramref name="usedSince"/>
    /// (idle ones no longer work), newest first, after the keyset position.
    /// </summary>
    Task<IReadOnlyList<Session>> ListActiveSessionsAsync(Guid accountId, DateTimeOffset now, DateTimeOffset usedSince, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The throttle of a login, if it has failures recorded.</summary>
    Task<LoginThrottle?> FindThrottleAsync(string loginDigest, CancellationToken cancellationToken);

    /// <summary>Whether the account signed in from this source before.</summary>
    Task<bool> IsKnownSourceAsync(Guid accountId, SignInSourceKind kind, string digest, CancellationToken cancellationToken);

    /// <summary>The account's activity, newest first, after the keyset position.</summary>
    Task<IReadOnlyList<ActivityEntry>> ListActivityAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The reset token with this digest, if any.</summary>
    Task<PasswordResetToken?> FindResetTokenAsync(string tokenDigest, CancellationToken cancellationToken);

    /// <summary>The account's reset tokens neither used nor expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<PasswordResetToken>> ListOpenResetTokensAsync(Guid accountId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Queued reset requests not handled yet, oldest first.</summary>
    Task<IReadOnlyList<OutboxMessage>> PendingResetRequestsAsync(int max, CancellationToken cancellationToken);

    /// <summary>The live login confirmation code of an account, if any (ACC-12).</summary>
    Task<LoginConfirmation?> FindLoginConfirmationAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>The account's current organization (ORG-5), if it has one; read without loading the account.</summary>
    Task<Guid?> FindCurrentOrganizationAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>How many activity entries of a kind the account has after a time (budgets such as ACC-8 resets).</summary>
    Task<int> CountActivitySinceAsync(Guid accountId, ActivityKind kind, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Removes a loaded object (a used confirmation code, a lapsed account with its rows).</summary>
    void Remove(object entity);

    /// <summary>Adds a new object (account, session, throttle, source, entry, token or outbox message).</summary>
    void Add(object entity);

    /// <summary>
    /// Commits. Throws <see cref="ConcurrencyConflictException"/> when a concurrent change won and
    /// <see cref="DuplicateKeyException"/> when a unique key was taken meanwhile.
    /// </summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>Settings of the accounts domain.</summary>
public sealed record AccountOptions
{
    /// <summary>How long a session lasts.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>How long a session may go unused before it ends.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How long a reset token works.</summary>
    public TimeSpan ResetTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Sign-in throttling.</summary>
    public ThrottlePolicy Throttle { get; init; } = new();

    /// <summary>The issuer shown in authenticator apps.</summary>
    public string TotpIssuer { get; init; } = "Hosting";

    /// <summary>How many recovery codes 2FA issues.</summary>
    public int RecoveryCodeCount { get; init; } = 10;

    /// <summary>Proving the login of new accounts (ACC-12).</summary>
    public LoginConfirmationPolicy LoginConfirmation { get; init; } = new();

    /// <summary>Reset emails sent per login within <see cref="ResetRequestWindow"/>; requests beyond it are answered alike and send nothing (ACC-8).</summary>
    public int ResetRequestsPerWindow { get; init; } = 3;

    /// <summary>The window of <see cref="ResetRequestsPerWindow"/>.</summary>
    public TimeSpan ResetRequestWindow { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>What authentication reads of an account with its session: whether its login is proven and when it was created (ACC-12).</summary>
public sealed record LoginState(bool Confirmed, DateTimeOffset CreatedAt, EmailAddress Login);

/// <summary>A session with its account's login state.</summary>
public sealed record SessionWithLogin(Session Session, LoginState Login);
