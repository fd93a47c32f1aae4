using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>The expected failures of organizations, one per rule, each with its stable reason.</summary>
public static class OrganizationErrors
{
    /// <summary>ORG-5, API-2: not a member, or no such organization; the two look the same.</summary>
    public static readonly DomainError NotFound =
        new(ErrorKind.NotFound, "ORGANIZATION_NOT_FOUND", "No such organization among yours.");

    /// <summary>ORG-7: managing members and details needs an administrator or a legal representative.</summary>
    public static readonly DomainError AdministratorRequired =
        new(ErrorKind.PermissionDenied, "ADMINISTRATOR_REQUIRED", "Only an administrator or a legal representative may do this.");

    /// <summary>ORG-8, ORG-9: legal representatives only.</summary>
    public static readonly DomainError LegalRepresentativeRequired =
        new(ErrorKind.PermissionDenied, "LEGAL_REPRESENTATIVE_REQUIRED", "Only a legal representative may do this.");

    /// <summary>ORG-3: a limited member acting on a product not theirs.</summary>
    public static readonly DomainError ProductAccessRequired =
        new(ErrorKind.PermissionDenied, "PRODUCT_ACCESS_REQUIRED", "You have no rights on this product.");

    /// <summary>A member name that is not a member.</summary>
    public static readonly DomainError MemberNotFound =
        new(ErrorKind.NotFound, "MEMBER_NOT_FOUND", "No such member in this organization.");

    /// <summary>A product name that is not the organization's.</summary>
    public static readonly DomainError ProductNotFound =
        new(ErrorKind.NotFound, "PRODUCT_NOT_FOUND", "No such product in this organization.");

    /// <summary>ORG-6: the last user cannot go.</summary>
    public static readonly DomainError LastUser =
        new(ErrorKind.FailedPrecondition, "LAST_USER", "The organization's last user cannot leave or be removed.")
        {
            Preconditions = [("LAST_USER", "membership", "An organization always keeps at least one user.")],
        };

    /// <summary>ORG-6, ORG-3: the only legal representative cannot go or be demoted.</summary>
    public static readonly DomainError LastLegalRepresentative =
        new(ErrorKind.FailedPrecondition, "LAST_LEGAL_REPRESENTATIVE", "The organization's only legal representative cannot leave, be removed or be demoted; appoint another first.")
        {
            Preconditions = [("LAST_LEGAL_REPRESENTATIVE", "membership", "An organization always keeps a legal representative.")],
        };

    /// <summary>ORG-4: the invitee is in already.</summary>
    public static readonly DomainError AlreadyMember =
        new(ErrorKind.AlreadyExists, "ALREADY_MEMBER", "This account is already a member of the organization.");

    /// <summary>ORG-3: product rights name products of the organization only.</summary>
    public static readonly DomainError UnknownProductInRights =
        DomainError.Invalid("product_ids", "UNKNOWN_PRODUCT", "Limited rights may only list the organization's products.");

    /// <summary>ORG-8: nothing to accept.</summary>
    public static readonly DomainError NoProposal =
        new(ErrorKind.FailedPrecondition, "NO_LEGAL_REPRESENTATIVE_PROPOSAL", "There is no pending legal representative proposal for you.");

    /// <summary>ORG-8: the candidate is one already.</summary>
    public static readonly DomainError AlreadyLegalRepresentative =
        new(ErrorKind.FailedPrecondition, "ALREADY_LEGAL_REPRESENTATIVE", "This member is a legal representative already.");

    /// <summary>ORG-8: legal representation is given by proposal and acceptance, not set directly.</summary>
    public static readonly DomainError LegalRepresentativeByProposalOnly =
        DomainError.Invalid("member.legal_representative", "LEGAL_REPRESENTATIVE_BY_PROPOSAL", "A member becomes legal representative by accepting a proposal.");

    /// <summary>API-4.</summary>
    public static readonly DomainError ETagMismatch =
        new(ErrorKind.Aborted, "ETAG_MISMATCH", "The organization changed since it was read; read it again.");

    /// <summary>ORG-10: nothing to get.</summary>
    public static readonly DomainError NoLogo =
        new(ErrorKind.NotFound, "LOGO_NOT_FOUND", "The organization has no logo.");

    /// <summary>ORG-1: a product type the catalogue does not sell.</summary>
    public static readonly DomainError UnknownProductType =
        DomainError.Invalid("product_type", "UNKNOWN_PRODUCT_TYPE", "This product type is not sold.");

    /// <summary>Terminating twice.</summary>
    public static readonly DomainError ProductTerminated =
        new(ErrorKind.FailedPrecondition, "PRODUCT_TERMINATED", "The product is terminated already.");
}
