using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>
/// A customer account. It owns its memberships, so the last-user and only-legal-representative
/// protections (ORG-6) live here and every path (leave, remove, demote, hand over, delete an
/// account) goes through them. It is loaded with the memberships a call names only, never the
/// whole member list: the protections read <see cref="MemberCount"/> and
/// <see cref="LegalRepresentativeCount"/>, kept on the organization itself. Each change bumps
/// <see cref="Version"/>, the optimistic concurrency token, so two concurrent changes (two
/// departures, a departure and a demotion) can never both commit against the same counts.
/// </summary>
public sealed class Organization
{
    private readonly List<Membership> _memberships = [];

    private Organization(Guid id, string name, DateTimeOffset createdAt)
    {
        Id = id;
        Name = name;
        CreatedAt = createdAt;
    }

    /// <summary>The organization's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The name: the company's, or the person's "First Last" (ORG-1).</summary>
    public string Name { get; private set; }

    /// <summary>Contact details (ORG-11).</summary>
    public ContactDetails Contact { get; private set; } = null!;

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it was deleted (ORG-9); deleted organizations are invisible.</summary>
    public DateTimeOffset? DeletedAt { get; private set; }

    /// <summary>The memberships loaded with it: those of the accounts the call named, and of a pending proposal (ORG-8).</summary>
    public IReadOnlyList<Membership> Memberships => _memberships;

    /// <summary>How many members it has, all of them, loaded or not (ORG-6).</summary>
    public int MemberCount { get; private set; }

    /// <summary>How many of its members are legal representatives (ORG-6, ORG-8).</summary>
    public int LegalRepresentativeCount { get; private set; }

    /// <summary>The member a legal representative proposed as legal representative (ORG-8), if any.</summary>
    public Guid? ProposedLegalRepresentative { get; private set; }

    /// <summary>The legal representative who made the pending proposal.</summary>
    public Guid? ProposedBy { get; private set; }

    /// <summary>Whether the proposer steps down when the proposal is accepted.</summary>
    public bool ProposalReplacesProposer { get; private set; }

    /// <summary>Bumped on every change; the etag and the optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>The etag of the current state.</summary>
    public string ETag => $"W/\"{Version}\"";

    /// <summary>Creates an organization whose creator is legal representative and administrator (ORG-2).</summary>
    public static Organization Create(Guid id, ContactDetails contact, Guid creatorAccountId, DateTimeOffset now)
    {
        var organization = new Organization(id, contact.DisplayName, now) { Contact = contact };
        var creator = Membership.Join(organization, creatorAccountId, MemberRights.Full, now);
        creator.SetLegalRepresentative(true);
        organization._memberships.Add(creator);
        organization.MemberCount = 1;
        organization.LegalRepresentativeCount = 1;
        return organization;
    }

    /// <summary>The account's membership, if it is a member and its membership was loaded.</summary>
    public Membership? MemberOf(Guid accountId) => _memberships.FirstOrDefault(m => m.AccountId == accountId);

    /// <summary>The actor's membership if it may manage members and details (ORG-7).</summary>
    public Result<Membership> Manager(Guid actor) =>
        MemberOf(actor) switch
        {
            null => OrganizationErrors.NotFound,
            { CanManage: false } => OrganizationErrors.AdministratorRequired,
            var m => m,
        };

    /// <summary>The actor's membership if it is a legal representative.</summary>
    public Result<Membership> LegalRepresentative(Guid actor) =>
        MemberOf(actor) switch
        {
            null => OrganizationErrors.NotFound,
            { IsLegalRepresentative: false } => OrganizationErrors.LegalRepresentativeRequired,
            var m => m,
        };

    /// <summary>Adds a member (an accepted invitation, ORG-4).</summary>
    public Result<Done> AddMember(Guid accountId, MemberRights rights, DateTimeOffset now)
    {
        if (MemberOf(accountId) is not null)
        {
            return OrganizationErrors.AlreadyMember;
        }

        _memberships.Add(Membership.Join(this, accountId, rights, now));
        MemberCount++;
        Touch();
        return Done.Value;
    }

    /// <summary>The member leaves (ORG-6).</summary>
    public Result<Done> Leave(Guid accountId)
    {
        var member = MemberOf(accountId);
        if (member is null)
        {
            return OrganizationErrors.NotFound;
        }

        return Depart(member);
    }

    /// <summary>An administrator or legal representative removes a member (ORG-6, ORG-7).</summary>
    public Result<Done> RemoveMember(Guid actor, Guid accountId)
    {
        var manager = Manager(actor);
        if (!manager.IsSuccess)
        {
            return manager.Error;
        }

        var member = MemberOf(accountId);
        if (member is null)
        {
            return OrganizationErrors.MemberNotFound;
        }

        // Removing a legal representative takes a legal representative, as demoting one does.
        if (member.IsLegalRepresentative && !manager.Value.IsLegalRepresentative)
        {
            return OrganizationErrors.LegalRepresentativeRequired;
        }

        return Depart(member);
    }

    /// <summary>
    /// Changes a member's rights (ORG-3, ORG-7). <paramref name="demoteLegalRepresentative"/> ends
    /// the member's legal representation, which only a legal representative may do and never for
    /// the last one (ORG-6).
    /// </summary>
    public Result<Done> ChangeRights(Guid actor, Guid accountId, MemberRights rights, bool demoteLegalRepresentative, IReadOnlySet<Guid> organizationProducts)
    {
        var manager = Manager(actor);
        if (!manager.IsSuccess)
        {
            return manager.Error;
        }

        var member = MemberOf(accountId);
        if (member is null)
        {
            return OrganizationErrors.MemberNotFound;
        }

        if (!rights.Administrator && rights.ProductIds.Any(p => !organizationProducts.Contains(p)))
        {
            return OrganizationErrors.UnknownProductInRights;
        }

        if (member.IsLegalRepresentative && !manager.Value.IsLegalRepresentative)
        {
            return OrganizationErrors.LegalRepresentativeRequired;
        }

        if (demoteLegalRepresentative && member.IsLegalRepresentative)
        {
            if (LegalRepresentativeCount == 1)
            {
                return OrganizationErrors.LastLegalRepresentative;
            }

            member.SetLegalRepresentative(false);
            LegalRepresentativeCount--;
            ClearProposalInvolving(member.AccountId);
        }

        member.Apply(rights);
        Touch();
        return Done.Value;
    }

    /// <summary>A legal representative proposes a member as legal representative (ORG-8).</summary>
    public Result<Done> ProposeLegalRepresentative(Guid actor, Guid candidate, bool replaceMe)
    {
        var proposer = LegalRepresentative(actor);
        if (!proposer.IsSuccess)
        {
            return proposer.Error;
        }

        var member = MemberOf(candidate);
        if (member is null)
        {
            return OrganizationErrors.MemberNotFound;
        }

        if (member.IsLegalRepresentative)
        {
            return OrganizationErrors.AlreadyLegalRepresentative;
        }

        ProposedLegalRepresentative = candidate;
        ProposedBy = actor;
        ProposalReplacesProposer = replaceMe;
        Touch();
        return Done.Value;
    }

    /// <summary>
    /// The candidate accepts: they become legal representative and, for a replacement, the
    /// proposer steps down in the same change, so there is never a moment without one (ORG-8).
    /// </summary>
    public Result<Done> AcceptLegalRepresentative(Guid actor)
    {
        var candidate = MemberOf(actor);
        if (candidate is null)
        {
            return OrganizationErrors.NotFound;
        }

        if (ProposedLegalRepresentative != actor)
        {
            return OrganizationErrors.NoProposal;
        }

        candidate.SetLegalRepresentative(true);
        LegalRepresentativeCount++;
        if (ProposalReplacesProposer && ProposedBy is { } proposedBy && MemberOf(proposedBy) is { IsLegalRepresentative: true } proposer)
        {
            proposer.SetLegalRepresentative(false);
            proposer.Apply(MemberRights.Full);
            LegalRepresentativeCount--;
        }

        ClearProposal();
        Touch();
        return Done.Value;
    }

    /// <summary>Replaces the contact details and the name derived from them (ORG-11).</summary>
    public Result<Done> UpdateContact(Guid actor, ContactDetails contact)
    {
        var manager = Manager(actor);
        if (!manager.IsSuccess)
        {
            return manager.Error;
        }

        Contact = contact;
        Name = contact.DisplayName;
        Touch();
        return Done.Value;
    }

    /// <summary>Whether the account may go without leaving the organization without a user or a legal representative.</summary>
    public DomainError? DepartureBlocker(Guid accountId)
    {
        var member = MemberOf(accountId);
        if (member is null)
        {
            return null;
        }

        if (MemberCount <= 1)
        {
            return OrganizationErrors.LastUser;
        }

        return member.IsLegalRepresentative && LegalRepresentativeCount == 1 ? OrganizationErrors.LastLegalRepresentative : null;
    }

    /// <summary>Marks the organization deleted (ORG-9); the caller has checked the conditions.</summary>
    public void MarkDeleted(DateTimeOffset now)
    {
        DeletedAt = now;
        Touch();
    }

    private Result<Done> Depart(Membership member)
    {
        if (DepartureBlocker(member.AccountId) is { } blocked)
        {
            return blocked;
        }

        _memberships.Remove(member);
        MemberCount--;
        if (member.IsLegalRepresentative)
        {
            LegalRepresentativeCount--;
        }

        ClearProposalInvolving(member.AccountId);
        Touch();
        return Done.Value;
    }

    private void ClearProposalInvolving(Guid accountId)
    {
        if (ProposedLegalRepresentative == accountId || ProposedBy == accountId)
        {
            ClearProposal();
        }
    }

    private void ClearProposal()
    {
        ProposedLegalRepresentative = null;
        ProposedBy = null;
        ProposalReplacesProposer = false;
    }

    private void Touch() => Version++;
}
