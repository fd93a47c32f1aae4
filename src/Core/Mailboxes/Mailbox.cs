using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>
/// An email address hosted in an organization's mail service (MBX-1). Its password is its own,
/// independent of every user account's, unless it is unified with the one account allowed to
/// (MBX-4).
/// </summary>
public sealed class Mailbox
{
    private Mailbox(Guid id, Guid organizationId, Guid mailServiceId, EmailAddress address, string passwordHash, DateTimeOffset createdAt)
    {
        Id = id;
        OrganizationId = organizationId;
        MailServiceId = mailServiceId;
        Address = address;
        PasswordHash = passwordHash;
        CreatedAt = createdAt;
    }

    /// <summary>The mailbox's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization holding it.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The mail service product it belongs to.</summary>
    public Guid MailServiceId { get; private set; }

    /// <summary>The address, unique across the provider.</summary>
    public EmailAddress Address { get; private set; }

    /// <summary>The Argon2id PHC string of the mailbox password. Never leaves the service.</summary>
    public string PasswordHash { get; private set; }

    /// <summary>The account whose password is unified with this mailbox's, if any (MBX-4).</summary>
    public Guid? UnifiedAccountId { get; private set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>A new mailbox with its own password.</summary>
    public static Mailbox Create(Guid id, Guid organizationId, Guid mailServiceId, EmailAddress address, string passwordHash, DateTimeOffset now) =>
        new(id, organizationId, mailServiceId, address, passwordHash, now);

    /// <summary>Replaces the password; the old one fails everywhere from now on (MBX-3).</summary>
    public void SetPasswordHash(string hash)
    {
        PasswordHash = hash;
        Version++;
    }

    /// <summary>Unifies the mailbox password with the account's (MBX-4).</summary>
    public void UnifyWith(Guid accountId)
    {
        UnifiedAccountId = accountId;
        Version++;
    }

    /// <summary>Ends unification; each keeps the current password.</summary>
    public void EndUnification()
    {
        UnifiedAccountId = null;
        Version++;
    }
}

/// <summary>What granted a webmail link, and so what ends it (MBX-7).</summary>
public enum WebmailGrant
{
    /// <summary>The mailbox password: the link must be re-confirmed when that password changes.</summary>
    MailboxPassword = 1,
    /// <summary>Rights on the mail service: the link ends when those rights end.</summary>
    MailServiceRights = 2,
}

/// <summary>A mailbox shown in a user account's webmail (MBX-2).</summary>
public sealed class WebmailLink
{
    private WebmailLink(Guid accountId, Guid mailboxId, DateTimeOffset linkedAt, WebmailGrant grant)
    {
        AccountId = accountId;
        MailboxId = mailboxId;
        LinkedAt = linkedAt;
        Grant = grant;
    }

    /// <summary>The account whose webmail shows the mailbox.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>The mailbox.</summary>
    public Guid MailboxId { get; private set; }

    /// <summary>When it was linked.</summary>
    public DateTimeOffset LinkedAt { get; private set; }

    /// <summary>What granted the link last (MBX-7).</summary>
    public WebmailGrant Grant { get; private set; }

    /// <summary>Whether webmail must have the mailbox password again before opening it (ACC-9, MBX-7).</summary>
    public bool NeedsReconfirmation { get; private set; }

    /// <summary>A new link, granted by <paramref name="grant"/>.</summary>
    public static WebmailLink Create(Guid accountId, Guid mailboxId, DateTimeOffset now, WebmailGrant grant) => new(accountId, mailboxId, now, grant);

    /// <summary>Asks for the mailbox password again.</summary>
    public void RequireReconfirmation() => NeedsReconfirmation = true;

    /// <summary>
    /// Confirmed again by <paramref name="grant"/>. A confirmed password link stays a password
    /// link when rights confirm it too: it needs no rights to last.
    /// </summary>
    public void Confirm(WebmailGrant grant)
    {
        if (grant == WebmailGrant.MailboxPassword || NeedsReconfirmation || Grant != WebmailGrant.MailboxPassword)
        {
            Grant = grant;
        }

        NeedsReconfirmation = false;
    }
}

/// <summary>The kinds of product credentials (ACC-11).</summary>
public enum CredentialKind
{
    /// <summary>FTP.</summary>
    Ftp = 1,
    /// <summary>SSH.</summary>
    Ssh = 2,
    /// <summary>MySQL.</summary>
    MySql = 3,
    /// <summary>WebDAV.</summary>
    WebDav = 4,
}

/// <summary>A credential of a product (FTP, SSH, MySQL, WebDAV), independent of account and mailbox passwords (ACC-11).</summary>
public sealed class ProductCredential
{
    private ProductCredential(Guid id, Guid organizationId, Guid productId, CredentialKind kind, string username, string passwordHash, DateTimeOffset createdAt)
    {
        Id = id;
        OrganizationId = organizationId;
        ProductId = productId;
        Kind = kind;
        Username = username;
        PasswordHash = passwordHash;
        CreatedAt = createdAt;
    }

    /// <summary>The credential's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The product it opens.</summary>
    public Guid ProductId { get; private set; }

    /// <summary>FTP, SSH, MySQL or WebDAV.</summary>
    public CredentialKind Kind { get; private set; }

    /// <summary>The user name.</summary>
    public string Username { get; private set; }

    /// <summary>The Argon2id hash of its password.</summary>
    public string PasswordHash { get; private set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>A new credential.</summary>
    public static ProductCredential Create(Guid id, Guid organizationId, Guid productId, CredentialKind kind, string username, string passwordHash, DateTimeOffset now) =>
        new(id, organizationId, productId, kind, username, passwordHash, now);

    /// <summary>Replaces its password.</summary>
    public void SetPasswordHash(string hash) => PasswordHash = hash;
}
