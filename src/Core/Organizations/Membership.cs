namespace Hosting.Core.Organizations;

/// <summary>
/// A user account's place in an organization (ORG-3): administrator or limited to listed
/// products; billing rights or not; legal representative or not. A legal representative has
/// all rights whatever the flags say.
/// </summary>
public sealed class Membership
{
    private readonly List<Guid> _productIds = [];

    private Membership(Guid organizationId, DateTimeOffset organizationCreatedAt, Guid accountId, DateTimeOffset joinedAt)
    {
        OrganizationId = organizationId;
        OrganizationCreatedAt = organizationCreatedAt;
        AccountId = accountId;
        JoinedAt = joinedAt;
    }

    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>
    /// When the organization was created, kept here so that an account's organizations are listed
    /// oldest first from its memberships alone, page by page (ORG-5, API-4).
    /// </summary>
    public DateTimeOffset OrganizationCreatedAt { get; private set; }

    /// <summary>The member's account.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>When the account joined.</summary>
    public DateTimeOffset JoinedAt { get; private set; }

    /// <summary>Whether the member is an administrator (all rights on all products).</summary>
    public bool IsAdministrator { get; private set; }

    /// <summary>The products a limited member may manage.</summary>
    public IReadOnlyList<Guid> ProductIds => _productIds;

    /// <summary>Whether the member sees invoices, pays and manages the wallet (BIL-2).</summary>
    public bool HasBillingRights { get; private set; }

    /// <summary>Whether the member is legally responsible for the organization.</summary>
    public bool IsLegalRepresentative { get; private set; }

    /// <summary>Administrator in effect (legal representatives always are).</summary>
    public bool CanManage => IsAdministrator || IsLegalRepresentative;

    /// <summary>Billing rights in effect.</summary>
    public bool CanBill => HasBillingRights || IsLegalRepresentative;

    /// <summary>Whether the member may manage the product.</summary>
    public bool CanAccessProduct(Guid productId) => CanManage || _productIds.Contains(productId);

    internal static Membership Join(Organization organization, Guid accountId, MemberRights rights, DateTimeOffset now)
    {
        var membership = new Membership(organization.Id, organization.CreatedAt, accountId, now);
        membership.Apply(rights);
        return membership;
    }

    internal void Apply(MemberRights rights)
    {
        IsAdministrator = rights.Administrator;
        HasBillingRights = rights.Billing;
        _productIds.Clear();
        if (!rights.Administrator)
        {
            _productIds.AddRange(rights.ProductIds.Distinct());
        }
    }

    internal void SetLegalRepresentative(bool value) => IsLegalRepresentative = value;

    /// <summary>The member's rights as flags.</summary>
    public MemberRights Rights => new(IsAdministrator, _productIds.ToArray(), HasBillingRights);
}

/// <summary>The rights granted to a member or an invitee (ORG-3).</summary>
public sealed record MemberRights(bool Administrator, IReadOnlyList<Guid> ProductIds, bool Billing)
{
    /// <summary>All rights.</summary>
    public static readonly MemberRights Full = new(true, [], true);
}
