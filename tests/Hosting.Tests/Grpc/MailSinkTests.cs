using System.Text.RegularExpressions;
using Hosting.Accounts.V1;
using Hosting.Core.Notifications;
using Hosting.GrpcHost.Infrastructure;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Hosting.Tests.Grpc;

/// <summary>Where the host's emails go on a developer's machine, and where they never go in production.</summary>
public sealed partial class MailSinkTests : IDisposable
{
    private readonly string _mail = Directory.CreateTempSubdirectory("hosting-mail-").FullName;

    public void Dispose() => Directory.Delete(_mail, recursive: true);

    private static string NewLogin() => $"mail-{Guid.NewGuid():N}@example.com";

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task PasswordReset_WithTheFilesSender_WritesAnEmlWhoseTokenResetsThePassword()
    {
        using var host = new HostFactory { Settings = { ["Notifications:Sender"] = "Files", ["Notifications:Directory"] = _mail } };
        var login = NewLogin();
        await host.SignedUpAsync(login);

        await host.Accounts().RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        await DispatchAsync(host);

        var reset = Emails().Single(m => m.Headers["X-Hosting-Notification"] == "password-reset");
        Assert.Equal("no-reply@hosting.example", reset.From.Mailboxes.Single().Address);
        Assert.Equal(login, reset.To.Mailboxes.Single().Address);
        Assert.Equal("Reset your password", reset.Subject);
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds(), reset.Date.ToUnixTimeSeconds());
        Assert.EndsWith("@hosting.example", reset.MessageId, StringComparison.Ordinal);
        var token = ResetToken().Match(reset.TextBody ?? string.Empty).Groups[1].Value;
        // The file reads as the email does: the token's line whole, for grep and for eyes.
        Assert.Contains(Directory.GetFiles(_mail, "*.eml"), f => File.ReadAllText(f).Contains($"once): {token}", StringComparison.Ordinal));

        // The token in the file is the person's own: it resets the password.
        await host.Accounts().ResetPasswordAsync(new ResetPasswordRequest { ResetToken = token, NewPassword = Passwords.Other });
        Assert.NotEmpty((await host.Accounts().SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other })).SessionToken);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task DefaultSender_OutsideDevelopment_LogsThatTheResetWentOut_NeverItsToken()
    {
        using var host = new HostFactory { Settings = { ["environment"] = "Production" } };
        var login = NewLogin();
        await host.SignedUpAsync(login);
        await host.Accounts().RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        var token = ResetToken().Match(Outbox(host, login).Single(m => m.Kind == "password-reset").Body).Groups[1].Value;
        Assert.NotEmpty(token);

        await DispatchAsync(host);

        Assert.IsType<LoggingNotificationSender>(host.Services.GetRequiredService<INotificationSender>());
        Assert.Contains(host.Logs.Lines, l => l.Contains("Notification password-reset", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_mail));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public void DefaultSender_InDevelopment_IsTheConsole_UnlessLogIsChosen()
    {
        using var development = new HostFactory { Settings = { ["environment"] = "Development" } };
        Assert.IsType<ConsoleNotificationSender>(development.Services.GetRequiredService<INotificationSender>());

        using var explicitLog = new HostFactory { Settings = { ["environment"] = "Development", ["Notifications:Sender"] = "Log" } };
        Assert.IsType<LoggingNotificationSender>(explicitLog.Services.GetRequiredService<INotificationSender>());
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ConsoleSender_PrintsTheWholeMessage_AsTheEmailReads()
    {
        using var output = new StringWriter();
        var sender = new ConsoleNotificationSender(Microsoft.Extensions.Options.Options.Create(new PickupOptions()), output);
        var message = OutboxMessage.Queue(Guid.NewGuid(), "password-reset", "ann@example.com", "Reset your password", "Reset token (valid 60 minutes, once): tok-123", AccountsHarness.Start);

        await sender.SendAsync(message, CancellationToken.None);

        var printed = output.ToString();
        Assert.Contains("From: no-reply@hosting.example", printed, StringComparison.Ordinal);
        Assert.Contains("To: ann@example.com", printed, StringComparison.Ordinal);
        Assert.Contains("Subject: Reset your password", printed, StringComparison.Ordinal);
        Assert.Contains($"Message-Id: <{message.Id:N}@hosting.example>", printed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Date: ", printed, StringComparison.Ordinal);
        Assert.Contains("Reset token (valid 60 minutes, once): tok-123", printed, StringComparison.Ordinal);
    }

    private List<MimeMessage> Emails() =>
        [.. Directory.GetFiles(_mail, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f))];

    private static List<OutboxMessage> Outbox(HostFactory host, string recipient)
    {
        using var scope = host.Services.CreateScope();
        return [.. scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>().AsNoTracking().Where(m => m.Recipient == recipient)];
    }

    /// <summary>One tick of the (here disabled) outbox dispatcher, through the host's configured sender.</summary>
    private static async Task DispatchAsync(HostFactory host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(int.MaxValue, CancellationToken.None);
    }

    [GeneratedRegex(@"Reset token \(valid \d+ minutes, once\): (\S+)")]
    private static partial Regex ResetToken();
}
