using Hosting.Core.Notifications;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Pickup folder settings (<c>Notifications:Pickup:*</c>).</summary>
public sealed class PickupOptions
{
    /// <summary>The folder each message is written to, one <c>.eml</c> file per message.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>The sender address.</summary>
    public string From { get; set; } = "no-reply@hosting.example";
}

/// <summary>
/// Writes each notification as an RFC 5322 message into a pickup folder, for a mail server that
/// sends what appears there, or for a developer or a test lane on one machine to read it (a login
/// code, a reset token). The file is the email itself, readable by its owner only; nothing of the
/// body is ever logged. Named by queue time, so a folder lists in the order messages were queued.
/// </summary>
public sealed class PickupNotificationSender(IOptions<PickupOptions> options) : INotificationSender
{
    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Directory))
        {
            throw new InvalidOperationException("Notifications:Pickup:Directory is not set.");
        }

        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.From));
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Subject = message.Subject;
        mime.Date = message.CreatedAt;
        mime.Headers.Add("X-Hosting-Notification", message.Kind);
        mime.Body = new TextPart("plain") { Text = message.Body };
        mime.Prepare(EncodingConstraint.EightBit);

        var folder = Directory.CreateDirectory(settings.Directory).FullName;
        var name = $"{message.CreatedAt.UtcTicks:D20}-{message.Id:N}.eml";
        var partial = Path.Combine(folder, name + ".tmp");
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(partial, file))
        {
            await mime.WriteToAsync(stream, cancellationToken);
        }

        // Renamed once complete, so a reader of the folder never sees half a message.
        File.Move(partial, Path.Combine(folder, name), overwrite: true);
    }
}
