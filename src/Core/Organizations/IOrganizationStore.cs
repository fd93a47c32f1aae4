using Hosting.Core.Accounts;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>
/// What the organizations domain needs from a store. It shares one unit of work with
/// <see cref="Accounts.IAccountStore"/>: a save commits the changes made through either, atomically.
/// </summary>
public interface IOrganizationStore
{
    /// <summary>
    /// The organization, unless it does not exist or was deleted, with the memberships of the
    /// named accounts that are members, and those of a pending legal-representative proposal
    /// (ORG-8); never the whole member list.
    /// </summary>
    Task<Organization?> FindAsync(Guid id, IReadOnlyCollection<Guid> members, CancellationToken cancellationToken);

    /// <summary>Every organization the account is a member of, each with the account's membership only.</summary>
    Task<IReadOnlyList<Organization>> ListForAccountAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the account's organizations, oldest first, after <paramref name="after"/>
    /// (creation time, id), each with the account's membership only.
    /// </summary>
    Task<IReadOnlyList<Organization>> ListForAccountAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>One page of the organization's members, by (joined, account id), after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<Membership>> ListMembersAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The accounts of the members holding billing rights (legal representatives included).</summary>
    Task<IReadOnlyList<Guid>> BillingMemberIdsAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>The accounts whose current organization is this one.</summary>
    Task<IReadOnlyList<UserAccount>> AccountsCurrentlyInAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>The organization's products, oldest first.</summary>
    Task<IReadOnlyList<Product>> ListProductsAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="productIds"/> are products of the organization (rights name only those, ORG-3).</summary>
    Task<IReadOnlySet<Guid>> ProductIdsAmongAsync(Guid organizationId, IReadOnlyCollection<Guid> productIds, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the organization's products, oldest first, after <paramref name="after"/>;
    /// only those in <paramref name="only"/> when it is given (a limited member's).
    /// </summary>
    Task<IReadOnlyList<Product>> ListProductsAsync(Guid organizationId, IReadOnlyCollection<Guid>? only, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the products to pay (BIL-3): awaiting their first payment without an invoice, or
    /// active and renewing by <paramref name="horizon"/>; by (renewal date, id), products without
    /// one first, after <paramref name="after"/>.
    /// </summary>
    Task<IReadOnlyList<Product>> ListDueProductsAsync(Guid organizationId, DateTimeOffset horizon, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The organization's products ordered on the invoice, oldest first.</summary>
    Task<IReadOnlyList<Product>> ListInvoiceProductsAsync(Guid organizationId, Guid invoiceId, CancellationToken cancellationToken);

    /// <summary>The organization's product, if it is one of its.</summary>
    Task<Product?> FindProductAsync(Guid organizationId, Guid productId, CancellationToken cancellationToken);

    /// <summary>The invitation, if any.</summary>
    Task<Invitation?> FindInvitationAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Whether the invitation is accepted as committed now (read afresh, not from the unit of work).</summary>
    Task<bool> IsInvitationAcceptedAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>One page of the organization's invitations, oldest first, after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<Invitation>> ListInvitationsAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the unit of work's write transaction holding the organization, so that a check and the change it
    /// allows commit before another request's check of the same organization reads (two invitations of one
    /// address at once); committed by <see cref="SaveChangesAsync"/>, rolled back by <see cref="Reset"/>.
    /// </summary>
    Task LockAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>Forgets every loaded and pending change and rolls back an open transaction.</summary>
    void Reset();

    /// <summary>Whether the organization has an invitation to the address still pending at <paramref name="now"/>.</summary>
    Task<bool> HasPendingInvitationAsync(Guid organizationId, EmailAddress email, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the invitations sent to an address that are pending at <paramref name="now"/>,
    /// of organizations not deleted, oldest first, after <paramref name="after"/>.
    /// </summary>
    Task<IReadOnlyList<Invitation>> ListPendingInvitationsForAsync(EmailAddress email, DateTimeOffset now, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The names of organizations, by id; deleted ones are absent.</summary>
    Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IEnumerable<Guid> organizationIds, CancellationToken cancellationToken);

    /// <summary>The logins of accounts, by id.</summary>
    Task<IReadOnlyDictionary<Guid, EmailAddress>> LoginsAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken);

    /// <summary>The organization's logo, if any.</summary>
    Task<StoredLogo?> FindLogoAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>The claim on a mail domain, by its normalized form (MBX-6).</summary>
    Task<MailDomain?> FindMailDomainAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Adds a new object.</summary>
    void Add(object entity);

    /// <summary>Removes an object (a logo, an account).</summary>
    void Remove(object entity);

    /// <summary>Commits, as <see cref="Accounts.IAccountStore.SaveChangesAsync"/> does.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>What billing and the wallet say about an organization, for deletion (ORG-9).</summary>
public sealed record FinancialStanding(IReadOnlyList<Money> WalletBalances, bool WithdrawalPending, int UnpaidInvoices, IReadOnlyList<string> PaidInvoiceNumbers)
{
    /// <summary>Nothing owed, held or pending.</summary>
    public static readonly FinancialStanding Clear = new([], false, 0, []);

    /// <summary>Each unpaid invoice by id and number, so that a refused deletion names them (ORG-9).</summary>
    public IReadOnlyList<(Guid Id, string Number)> UnpaidInvoiceNumbers { get; init; } = [];
}

/// <summary>The port through which Billing and the Wallet report an organization's standing.</summary>
public interface IOrganizationFinances
{
    /// <summary>The organization's standing now.</summary>
    Task<FinancialStanding> StandingAsync(Guid organizationId, CancellationToken cancellationToken);
}

/// <summary>The standing while no billing or wallet is wired in: nothing held, nothing owed.</summary>
public sealed class NoFinances : IOrganizationFinances
{
    /// <inheritdoc />
    public Task<FinancialStanding> StandingAsync(Guid organizationId, CancellationToken cancellationToken) =>
        Task.FromResult(FinancialStanding.Clear);
}

/// <summary>Settings of organizations.</summary>
public sealed record OrganizationOptions
{
    /// <summary>How long an invitation can be accepted (ORG-4).</summary>
    public TimeSpan InvitationLifetime { get; init; } = TimeSpan.FromDays(7);
}
