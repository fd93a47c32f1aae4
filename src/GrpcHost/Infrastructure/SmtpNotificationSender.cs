using Hosting.Core.Notifications;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>SMTP settings (<c>Notifications:Smtp:*</c>).</summary>
public sealed class SmtpOptions
{
    /// <summary>The server.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The port.</summary>
    public int Port { get; set; } = 587;

    /// <summary>TLS: <c>None</c>, <c>Auto</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c> or <c>SslOnConnect</c>.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>User name; empty for servers without authentication.</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>Password (from a secret store or the environment, never committed).</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>The sender address.</summary>
    public string From { get; set; } = "no-reply@hosting.example";

    /// <summary>The sender's display name.</summary>
    public string FromName { get; set; } = "Hosting";
}

/// <summary>Sends notifications by SMTP with MailKit; throws when the server does not accept the message.</summary>
public sealed class SmtpNotificationSender(IOptions<SmtpOptions> options) : INotificationSender
{
    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(settings.FromName, settings.From));
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Subject = message.Subject;
        mime.Headers.Add("X-Hosting-Notification", message.Kind);
        mime.Body = new TextPart("plain") { Text = message.Body };

        using var client = new SmtpClient();
        await client.ConnectAsync(settings.Host, settings.Port, settings.Security, cancellationToken);
        if (settings.Username.Length > 0)
        {
            await client.AuthenticateAsync(settings.Username, settings.Password, cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
