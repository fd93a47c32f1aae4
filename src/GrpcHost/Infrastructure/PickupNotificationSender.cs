using Hosting.Core.Notifications;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Mail folder settings (<c>Notifications:Directory</c>, or <c>Notifications:Pickup:*</c>).</summary>
public sealed class PickupOptions
{
    /// <summary>The folder each message is written to, one <c>.eml</c> file per message.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>The sender address.</summary>
    public string From { get; set; } = "no-reply@hosting.example";
}

/// <summary>An outbox message as the email the person receives (RFC 5322), the same whether written to a file or a console.</summary>
internal static class LocalMail
{
    public static MimeMessage Compose(OutboxMessage message, string from)
    {
        var sender = MailboxAddress.Parse(from);
        var mime = new MimeMessage();
        mime.From.Add(sender);
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Subject = message.Subject;
        mime.Date = message.CreatedAt;
        // From the outbox id: a message written again after a crash keeps its identity.
        mime.MessageId = $"{message.Id:N}@{sender.Domain}";
        mime.Headers.Add("X-Hosting-Notification", message.Kind);
        mime.Body = new TextPart("plain") { Text = message.Body };
        // Lines up to SMTP's 998: a body read as a file (cat, grep) shows each line whole, not quoted-printable.
        mime.Prepare(EncodingConstraint.EightBit, maxLineLength: 998);
        return mime;
    }
}

/// <summary>
/// Writes each notification as an RFC 5322 message (From, To, Subject, Date, Message-ID, body) into a
/// folder (<c>Notifications:Sender=Files</c>, or its older name <c>Pickup</c>): for a mail server that
/// sends what appears there, or for a developer or a test lane on one machine to read it (a login
/// code, a reset token, an invitation). The file is the email itself, readable by its owner only;
/// nothing of the body is ever logged. Named by queue time, so a folder lists in the order messages were queued.
/// </summary>
public sealed class PickupNotificationSender(IOptions<PickupOptions> options) : INotificationSender
{
    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Directory))
        {
            throw new InvalidOperationException("Notifications:Directory is not set.");
        }

        var mime = LocalMail.Compose(message, settings.From);
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

/// <summary>
/// The default sender in the Development environment: prints each whole message to the console, so
/// that a reset token, a login code or an invitation reaches the developer trying the flow. Written to
/// standard output directly, not through logging, so that no log pipeline (OTLP) ever carries a body.
/// Never chosen outside Development: there the default sender logs only kind, id and recipient.
/// </summary>
public sealed class ConsoleNotificationSender(IOptions<PickupOptions> options, TextWriter output) : INotificationSender
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var mime = LocalMail.Compose(message, options.Value.From);
        using var text = new MemoryStream();
        await mime.WriteToAsync(FormatOptions.Default, text, cancellationToken);
        var rendered = System.Text.Encoding.UTF8.GetString(text.ToArray()).ReplaceLineEndings(Environment.NewLine);
        // One block at a time, so two messages never interleave on the console.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await output.WriteLineAsync($"----- email {message.Kind} to {message.Recipient} (Development: printed, not sent) -----");
            await output.WriteLineAsync(rendered.TrimEnd());
            await output.WriteLineAsync("----- end of email -----");
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
