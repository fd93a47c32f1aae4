namespace Hosting.Core.Accounts;

/// <summary>
/// Told, inside the same unit of work, when an account's password changes, so that credentials
/// tied to it follow: unified mailboxes take the new password and other webmail links ask for
/// their mailbox password again (MBX-4, ACC-9).
/// </summary>
public interface IAccountPasswordSync
{
    /// <summary>The account's password hash has just been replaced.</summary>
    Task AccountPasswordChangedAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken cancellationToken);
}
