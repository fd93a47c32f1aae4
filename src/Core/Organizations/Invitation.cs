using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Where an invitation is (ORG-4).</summary>
public enum InvitationState
{
    /// <summary>Sent, can be accepted.</summary>
    Pending = 1,
    /// <summary>Accepted; the invitee is a member.</summary>
    Accepted = 2,
    /// <summary>Past its expiry without being accepted.</summary>
    Expired = 3,
    /// <summary>Withdrawn by the organization.</summary>
    Revoked = 4,
}

/// <summary>An invitation to join an organization, sent to an email address (ORG-4).</summary>
public sealed class Invitation
{
    private readonly List<Guid> _productIds = [];

    private Invitation(Guid id, Guid organizationId, EmailAddress email, Guid invitedBy, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        Id = id;
        OrganizationId = organizationId;
        Email = email;
        InvitedBy = invitedBy;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The invitation's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization to join.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>Who is invited; only the account with this login may accept.</summary>
    public EmailAddress Email { get; private set; }

    /// <summary>The member who invited.</summary>
    public Guid InvitedBy { get; private set; }

    /// <summary>Administrator rights on joining.</summary>
    public bool Administrator { get; private set; }

    /// <summary>Products of a limited member on joining.</summary>
    public IReadOnlyList<Guid> ProductIds => _productIds;

    /// <summary>Billing rights on joining.</summary>
    public bool Billing { get; private set; }

    /// <summary>When it was (last) sent.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it stops being acceptable.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Pending, accepted or revoked as stored; expiry is read with <see cref="StateAt"/>.</summary>
    public InvitationState StoredState { get; private set; } = InvitationState.Pending;

    /// <summary>When it was accepted or revoked.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Optimistic concurrency token: accepted once, even by two concurrent calls.</summary>
    public int Version { get; private set; }

    /// <summary>The rights it grants.</summary>
    public MemberRights Rights => new(Administrator, _productIds.ToArray(), Billing);

    /// <summary>A new pending invitation.</summary>
    public static Invitation Send(Guid id, Guid organizationId, EmailAddress email, MemberRights rights, Guid invitedBy, DateTimeOffset now, TimeSpan lifetime)
    {
        var invitation = new Invitation(id, organizationId, email, invitedBy, now, now + lifetime)
        {
            Administrator = rights.Administrator,
            Billing = rights.Billing,
        };
        if (!rights.Administrator)
        {
            invitation._productIds.AddRange(rights.ProductIds.Distinct());
        }

        return invitation;
    }

    /// <summary>The state at <paramref name="now"/>.</summary>
    public InvitationState StateAt(DateTimeOffset now) =>
        StoredState == InvitationState.Pending && now >= ExpiresAt ? InvitationState.Expired : StoredState;

    /// <summary>Sends it again with a fresh expiry; an expired invitation becomes pending again.</summary>
    public Result<Done> Resend(DateTimeOffset now, TimeSpan lifetime)
    {
        if (StoredState != InvitationState.Pending)
        {
            return Closed();
        }

        CreatedAt = now;
        ExpiresAt = now + lifetime;
        Version++;
        return Done.Value;
    }

    /// <summary>Withdraws it.</summary>
    public Result<Done> Revoke(DateTimeOffset now)
    {
        if (StoredState != InvitationState.Pending)
        {
            return Closed();
        }

        StoredState = InvitationState.Revoked;
        ClosedAt = now;
        Version++;
        return Done.Value;
    }

    /// <summary>Accepts it for the account with login <paramref name="login"/> (ORG-4: only the invited address).</summary>
    public Result<Done> Accept(EmailAddress login, DateTimeOffset now)
    {
        if (login != Email)
        {
            return InvitationErrors.NotForYou;
        }

        switch (StateAt(now))
        {
            case InvitationState.Expired:
                return InvitationErrors.Expired;
            case InvitationState.Pending:
                StoredState = InvitationState.Accepted;
                ClosedAt = now;
                Version++;
                return Done.Value;
            default:
                return Closed();
        }
    }

    private DomainError Closed() =>
        StoredState == InvitationState.Accepted ? InvitationErrors.AlreadyAccepted : InvitationErrors.Revoked;
}

/// <summary>The expected failures of invitations (ORG-4).</summary>
public static class InvitationErrors
{
    /// <summary>No such invitation visible to the caller.</summary>
    public static readonly DomainError NotFound =
        new(ErrorKind.NotFound, "INVITATION_NOT_FOUND", "No such invitation.");

    /// <summary>Another login tries to accept.</summary>
    public static readonly DomainError NotForYou =
        new(ErrorKind.NotFound, "INVITATION_NOT_FOUND", "No such invitation.");

    /// <summary>Past its expiry.</summary>
    public static readonly DomainError Expired =
        new(ErrorKind.FailedPrecondition, "INVITATION_EXPIRED", "The invitation has expired; ask for it to be sent again.");

    /// <summary>Accepted once already.</summary>
    public static readonly DomainError AlreadyAccepted =
        new(ErrorKind.FailedPrecondition, "INVITATION_ALREADY_ACCEPTED", "The invitation was accepted already.");

    /// <summary>Withdrawn.</summary>
    public static readonly DomainError Revoked =
        new(ErrorKind.FailedPrecondition, "INVITATION_REVOKED", "The invitation was revoked.");

    /// <summary>The address is a member already.</summary>
    public static readonly DomainError AlreadyInvited =
        new(ErrorKind.AlreadyExists, "INVITATION_PENDING", "A pending invitation for this address exists already; send it again instead.");
}
