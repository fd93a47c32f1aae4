using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>
/// A person's identity (ACC-1): a login that is an email address, a password stored only as a
/// hash, an optional recovery email and optional TOTP two-factor authentication.
/// </summary>
public sealed class UserAccount
{
    private readonly List<string> _recoveryCodeDigests = [];
    private string? _recoveryEmail;

    private UserAccount(Guid id, EmailAddress login, string passwordHash, DateTimeOffset createdAt)
    {
        Id = id;
        Login = login;
        PasswordHash = passwordHash;
        CreatedAt = createdAt;
    }

    /// <summary>The account's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The login, unique case-insensitively.</summary>
    public EmailAddress Login { get; private set; }

    /// <summary>The Argon2id PHC string. Never leaves the service.</summary>
    public string PasswordHash { get; private set; }

    /// <summary>Where password resets are sent, if set.</summary>
    public EmailAddress? RecoveryEmail => _recoveryEmail is null ? null : EmailAddress.FromTrusted(_recoveryEmail);

    /// <summary>When the account was created.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Bumped on every change; the etag and the optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>The TOTP secret (base32), set by enrollment, in use once <see cref="TwoFactorEnabled"/>.</summary>
    public string? TotpSecret { get; private set; }

    /// <summary>Whether sign-in needs a second factor (ACC-7).</summary>
    public bool TwoFactorEnabled { get; private set; }

    /// <summary>The last TOTP time step accepted, so a code is never accepted twice.</summary>
    public long? LastTotpStep { get; private set; }

    /// <summary>Digests of the unused recovery codes.</summary>
    public IReadOnlyList<string> RecoveryCodeDigests => _recoveryCodeDigests;

    /// <summary>The etag of the current state.</summary>
    public string ETag => $"W/\"{Version}\"";

    /// <summary>The organization the account works in now (ORG-5), if any.</summary>
    public Guid? CurrentOrganizationId { get; private set; }

    /// <summary>
    /// Whether the login was proven with a code sent to it (ACC-12). Until then the account can
    /// only confirm, and it lapses after <see cref="LoginConfirmationPolicy.UnconfirmedLifetime"/>.
    /// </summary>
    public bool LoginConfirmed { get; private set; }

    /// <summary>Whether the account is unconfirmed past its lifetime: it counts as gone and its login is free (ACC-12).</summary>
    public bool HasLapsed(DateTimeOffset now, LoginConfirmationPolicy policy) =>
        !LoginConfirmed && now >= CreatedAt + policy.UnconfirmedLifetime;

    /// <summary>When an unconfirmed account lapses; null once confirmed.</summary>
    public DateTimeOffset? LapsesAt(LoginConfirmationPolicy policy) =>
        LoginConfirmed ? null : CreatedAt + policy.UnconfirmedLifetime;

    /// <summary>Records that the login was proven (ACC-12).</summary>
    public void ConfirmLogin()
    {
        LoginConfirmed = true;
        Touch();
    }

    /// <summary>Makes an organization the current one; the caller has checked the membership.</summary>
    public void SwitchOrganization(Guid? organizationId)
    {
        CurrentOrganizationId = organizationId;
        Touch();
    }

    /// <summary>A new account.</summary>
    public static UserAccount Create(Guid id, EmailAddress login, string passwordHash, EmailAddress? recoveryEmail, DateTimeOffset now) =>
        new(id, login, passwordHash, now) { _recoveryEmail = recoveryEmail?.Value };

    /// <summary>Replaces the password hash (change, reset or rehash at stronger parameters).</summary>
    public void SetPasswordHash(string hash)
    {
        PasswordHash = hash;
        Touch();
    }

    /// <summary>Sets or clears the recovery email.</summary>
    public void SetRecoveryEmail(EmailAddress? email)
    {
        _recoveryEmail = email?.Value;
        Touch();
    }

    /// <summary>Starts (or restarts) enrollment with a new secret; 2FA stays off until confirmed.</summary>
    public Result<Done> BeginTwoFactor(string base32Secret)
    {
        if (TwoFactorEnabled)
        {
            return TwoFactorErrors.AlreadyEnabled;
        }

        TotpSecret = base32Secret;
        LastTotpStep = null;
        Touch();
        return Done.Value;
    }

    /// <summary>Turns 2FA on once a code of the enrolled secret was accepted at <paramref name="step"/>.</summary>
    public Result<Done> ConfirmTwoFactor(long step, IEnumerable<string> recoveryCodeDigests)
    {
        if (TwoFactorEnabled)
        {
            return TwoFactorErrors.AlreadyEnabled;
        }

        if (TotpSecret is null)
        {
            return TwoFactorErrors.NotEnrolled;
        }

        TwoFactorEnabled = true;
        LastTotpStep = step;
        _recoveryCodeDigests.Clear();
        _recoveryCodeDigests.AddRange(recoveryCodeDigests);
        Touch();
        return Done.Value;
    }

    /// <summary>Turns 2FA off and forgets its secret and recovery codes.</summary>
    public void DisableTwoFactor()
    {
        TwoFactorEnabled = false;
        TotpSecret = null;
        LastTotpStep = null;
        _recoveryCodeDigests.Clear();
        Touch();
    }

    /// <summary>Accepts a TOTP time step once: a replayed or older step is refused.</summary>
    public bool TryAcceptTotpStep(long step)
    {
        if (LastTotpStep is { } last && step <= last)
        {
            return false;
        }

        LastTotpStep = step;
        Touch();
        return true;
    }

    /// <summary>Uses up a recovery code (ACC-7: single use).</summary>
    public bool TryUseRecoveryCode(string digest)
    {
        var index = _recoveryCodeDigests.FindIndex(d => Secrets.DigestEquals(d, digest));
        if (index < 0)
        {
            return false;
        }

        _recoveryCodeDigests.RemoveAt(index);
        Touch();
        return true;
    }

    private void Touch() => Version++;
}
