using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>The expected failures of mailboxes, one per rule, each with its stable reason.</summary>
public static class MailboxErrors
{
    /// <summary>No such mailbox visible to the caller.</summary>
    public static readonly DomainError NotFound =
        new(ErrorKind.NotFound, "MAILBOX_NOT_FOUND", "No such mailbox.");

    /// <summary>MBX-3: changing a mailbox needs rights on its mail service.</summary>
    public static readonly DomainError MailServiceRightsRequired =
        new(ErrorKind.PermissionDenied, "MAIL_SERVICE_RIGHTS_REQUIRED", "You have no rights on this mail service.");

    /// <summary>The product is not a mail service of the organization.</summary>
    public static readonly DomainError NotAMailService =
        new(ErrorKind.NotFound, "MAIL_SERVICE_NOT_FOUND", "No such mail service in this organization.");

    /// <summary>Mailboxes live on the mail service's domain.</summary>
    public static readonly DomainError WrongDomain =
        DomainError.Invalid("address", "MAILBOX_DOMAIN_MISMATCH", "The address must be on the mail service's domain.");

    /// <summary>MBX-6: nothing is served until the product is paid, nor after it ended.</summary>
    public static readonly DomainError ProductNotActive =
        new(ErrorKind.FailedPrecondition, "PRODUCT_NOT_ACTIVE", "The product is not active: it serves nothing until it is paid.");

    /// <summary>Addresses are unique.</summary>
    public static readonly DomainError AddressTaken =
        new(ErrorKind.AlreadyExists, "MAILBOX_EXISTS", "A mailbox with this address exists already.");

    /// <summary>MBX-1, MBX-2: a wrong mailbox password, the same for an unknown address.</summary>
    public static readonly DomainError InvalidCredentials =
        new(ErrorKind.Unauthenticated, "INVALID_CREDENTIALS", "The address or the password is wrong.");

    /// <summary>MBX-2: linking without the password needs rights.</summary>
    public static readonly DomainError MailboxPasswordRequired =
        DomainError.Invalid("mailbox_password", "MAILBOX_PASSWORD_REQUIRED", "Give the mailbox password, or ask someone with rights on the mail service to link it.") with { Kind = ErrorKind.PermissionDenied };

    /// <summary>The link does not exist.</summary>
    public static readonly DomainError NotLinked =
        new(ErrorKind.NotFound, "WEBMAIL_LINK_NOT_FOUND", "This mailbox is not in your webmail.");

    /// <summary>MBX-4: unification asked for when not offered.</summary>
    public static DomainError UnificationNotOffered(IReadOnlyList<string> failed) =>
        new(ErrorKind.FailedPrecondition, "UNIFICATION_NOT_OFFERED", "Unifying the passwords is not offered for this mailbox.")
        {
            Preconditions = failed.Select(f => (f, "mailbox", UnificationConditions.Describe(f))).ToArray(),
        };
}

/// <summary>The three conditions of MBX-4 and their stable names.</summary>
public static class UnificationConditions
{
    /// <summary>(a) An account has the mailbox address as login, and it is the one acting.</summary>
    public const string AccountLogin = "ACCOUNT_LOGIN_IS_MAILBOX_ADDRESS";

    /// <summary>(b) It is the only account with the mailbox linked in webmail.</summary>
    public const string OnlyLinkedAccount = "ONLY_ACCOUNT_LINKED_IN_WEBMAIL";

    /// <summary>(c) It has the right to change the mailbox's password.</summary>
    public const string Rights = "RIGHTS_ON_MAIL_SERVICE";

    /// <summary>The failed conditions, in (a), (b), (c) order; empty when unification may be offered.</summary>
    public static IReadOnlyList<string> Failed(Accounts.UserAccount account, Mailbox mailbox, IReadOnlyList<WebmailLink> links, bool hasRights)
    {
        var failed = new List<string>();
        if (account.Login != mailbox.Address)
        {
            failed.Add(AccountLogin);
        }

        if (links.Count != 1 || links[0].AccountId != account.Id)
        {
            failed.Add(OnlyLinkedAccount);
        }

        if (!hasRights)
        {
            failed.Add(Rights);
        }

        return failed;
    }

    /// <summary>A sentence for a condition.</summary>
    public static string Describe(string condition) => condition switch
    {
        AccountLogin => "(a) the account making the change must have the mailbox address as its login",
        OnlyLinkedAccount => "(b) it must be the only account with the mailbox in its webmail",
        Rights => "(c) it must have the right to change the mailbox password",
        _ => condition,
    };
}
