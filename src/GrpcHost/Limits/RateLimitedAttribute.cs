namespace Hosting.GrpcHost.Limits;

/// <summary>Puts an RPC under a named rate-limit policy of <see cref="RateLimitOptions"/>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RateLimitedAttribute(string policy) : Attribute
{
    /// <summary>Sign-in, sign-up and first orders: guessing passwords, probing logins and creating accounts in bulk.</summary>
    public const string SignIn = "SignIn";

    /// <summary>Confirming a login and asking for a new code (ACC-12): they take codes and send emails.</summary>
    public const string LoginConfirmation = "LoginConfirmation";

    /// <summary>Password reset requests and uses: they send emails and take tokens.</summary>
    public const string PasswordReset = "PasswordReset";

    /// <summary>Invitations sent and resent: they send emails to addresses of the caller's choosing.</summary>
    public const string Invitation = "Invitation";

    /// <summary>Mail servers' mailbox credential checks.</summary>
    public const string MailboxCredentials = "MailboxCredentials";

    /// <summary>The policy's name.</summary>
    public string Policy { get; } = policy;
}
