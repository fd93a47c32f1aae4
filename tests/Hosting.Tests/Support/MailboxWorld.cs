using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Tests.Support;

/// <summary>
/// An organization with a mail service over the accounts harness, and the few steps the mailbox
/// rule tests repeat (members, mailboxes, webmail links) and what they read back from the store.
/// </summary>
public sealed class MailboxWorld : IDisposable
{
    public const string Domain = "atelier-verre.xyz";
    public const string MailboxPassword = "zZ!077rw-compta";
    public const string OwnerLogin = "owner@la-fibre.xyz";

    public AccountsHarness H { get; } = new();

    public AuthenticatedUser Owner { get; private set; } = null!;

    public Guid OrganizationId { get; private set; }

    public Guid MailServiceId { get; private set; }

    public MailboxService Mailboxes => H.Mailboxes();

    public OrganizationService Organizations => H.Organizations();

    public void Dispose() => H.Dispose();

    /// <summary>The owner's organization and its mail service on <see cref="Domain"/>, paid unless told otherwise.</summary>
    public async Task<MailboxWorld> SetUpAsync(bool paid = true)
    {
        Owner = await H.UserAsync(OwnerLogin);
        OrganizationId = (await Organizations.CreateAsync(Owner, Contacts.Person)).Value.Organization.Id;
        MailServiceId = AddProduct(OrganizationId, ProductType.MailService, Domain, paid).Id;
        return this;
    }

    /// <summary>A product put straight into the store, as billing would leave it.</summary>
    public Product AddProduct(Guid organizationId, ProductType type, string name, bool paid = true) =>
        H.AddProduct(organizationId, type, name, paid ? H.Clock.GetUtcNow().AddYears(1) : null, 1800);

    public string Address(string localPart) => $"{localPart}@{Domain}";

    public async Task<Mailbox> MailboxAsync(string localPart, string password = MailboxPassword)
    {
        var created = await Mailboxes.CreateAsync(Owner, OrganizationId, MailServiceId, localPart, password);
        Assert.True(created.IsSuccess, created.Error?.Reason);
        return created.Value;
    }

    public Task<AuthenticatedUser> MemberAsync(string login, MemberRights rights) => H.JoinAsync(OrganizationId, Owner, login, rights);

    /// <summary>A limited member whose product access is the mail service.</summary>
    public Task<AuthenticatedUser> MailMemberAsync(string login) => MemberAsync(login, new MemberRights(false, [MailServiceId], false));

    /// <summary>A limited member with no product access.</summary>
    public Task<AuthenticatedUser> LimitedMemberAsync(string login) => MemberAsync(login, new MemberRights(false, [], false));

    public async Task<WebmailMailbox> LinkAsync(AuthenticatedUser user, string localPart, string? password = null)
    {
        var linked = await Mailboxes.LinkWebmailAsync(user, Address(localPart), password, Contexts.Home);
        Assert.True(linked.IsSuccess, linked.Error?.Reason);
        return linked.Value;
    }

    /// <summary>julie@ with her own account, rights on the mail service and the only webmail link: unification is offered.</summary>
    public async Task<(AuthenticatedUser Julie, Mailbox Mailbox)> UnificationOfferedAsync()
    {
        var mailbox = await MailboxAsync("julie");
        var julie = await MailMemberAsync(Address("julie"));
        await LinkAsync(julie, "julie");
        return (julie, mailbox);
    }

    /// <summary>julie@ unified with her mailbox on <paramref name="shared"/>.</summary>
    public async Task<(AuthenticatedUser Julie, Mailbox Mailbox)> UnifiedAsync(string shared)
    {
        var (julie, mailbox) = await UnificationOfferedAsync();
        var changed = await Mailboxes.ChangePasswordAsync(julie, OrganizationId, mailbox.Id, shared, true, Passwords.Good, Contexts.Home);
        Assert.True(changed.IsSuccess && changed.Value.Report.Unified, changed.Error?.Reason);
        return (julie, mailbox);
    }

    /// <summary>Another session of an existing account.</summary>
    public async Task<AuthenticatedUser> SessionAsync(string login, string password) =>
        (await H.Accounts().AuthenticateAsync((await H.SignInAsync(login, password)).Token)).Value;

    public async Task<bool> MailAppSignsInAsync(string localPart, string password) =>
        (await Mailboxes.CheckCredentialsAsync(Address(localPart), password)).IsSuccess;

    public async Task<bool> AccountSignsInAsync(string login, string password) =>
        (await H.Accounts().SignInAsync(login, password, null, null, Contexts.Home)).IsSuccess;

    /// <summary>Whether the session has not been ended.</summary>
    public bool SessionOpen(AuthenticatedUser user) => H.Query(db => db.Set<Session>().Single(x => x.Id == user.SessionId).EndedAt is null);

    public Mailbox Stored(Guid mailboxId) => H.Query(db => db.Set<Mailbox>().Single(m => m.Id == mailboxId));

    public bool Exists(Guid mailboxId) => H.Query(db => db.Set<Mailbox>().Any(m => m.Id == mailboxId));

    public List<WebmailLink> LinksOf(Guid accountId) => H.Query(db => db.Set<WebmailLink>().Where(l => l.AccountId == accountId).ToList());

    public WebmailLink LinkOf(Guid accountId, Guid mailboxId) => H.Query(db => db.Set<WebmailLink>().Single(l => l.AccountId == accountId && l.MailboxId == mailboxId));

    public List<ActivityKind> Activity(Guid accountId) =>
        H.Query(db => db.Set<ActivityEntry>().Where(e => e.AccountId == accountId).Select(e => e.Kind).ToList());

    public string AccountHash(Guid accountId) => H.Query(db => db.Set<UserAccount>().Single(a => a.Id == accountId).PasswordHash);
}
