using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Billing.V1;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;
using Hosting.Persistence;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Hosting.Tests.EndToEnd;

/// <summary>
/// The host with its SMTP sender against a real SMTP server that writes a maildir
/// (<c>.ci/smtp-lane.sh</c> starts one); skipped with a message when none is configured.
/// </summary>
public sealed class SmtpLaneTests
{
    private const string SupportKey = "smtp-lane-support-key-0123456789-abcdef";

    private static readonly string? Port = Environment.GetEnvironmentVariable("HOSTING_TEST_SMTP_PORT");
    private static readonly string? Maildir = Environment.GetEnvironmentVariable("HOSTING_TEST_SMTP_MAILDIR");

    private static List<MimeMessage> Received() =>
        Directory.Exists(Path.Combine(Maildir!, "new"))
            ? Directory.GetFiles(Path.Combine(Maildir!, "new")).Select(f => MimeMessage.Load(f)).ToList()
            : [];

    private static async Task<MimeMessage> ArrivedAsync(Func<MimeMessage, bool> match)
    {
        for (var i = 0; i < 150; i++)
        {
            if (Received().FirstOrDefault(match) is { } message)
            {
                return message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The email did not arrive; received: " + string.Join(", ", Received().Select(m => $"{m.To}: {m.Subject}")));
    }

    [SkippableFact]
    [Trait("Rule", "ACC-5")]
    [Trait("Rule", "ACC-8")]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "BIL-7")]
    public async Task SignInAlerts_Invitations_PasswordResets_AndRenewalFailures_ArriveByEmail()
    {
        Skip.If(Port is null || Maildir is null, "SMTP lane not configured: .ci/smtp-lane.sh starts a server and sets HOSTING_TEST_SMTP_PORT and HOSTING_TEST_SMTP_MAILDIR.");
        var data = Directory.CreateTempSubdirectory("hosting-smtp-").FullName;
        try
        {
            await using var host = await HostProcess.StartAsync(
                data, "--Notifications:Sender=Smtp", "--Notifications:Smtp:Host=127.0.0.1", $"--Notifications:Smtp:Port={Port}",
                "--Notifications:Smtp:Security=None", "--Notifications:Smtp:From=no-reply@hosting.example", "--Notifications:PollInterval=00:00:00.500",
                "--ApiKeys:Keys:0:Name=support", $"--ApiKeys:Keys:0:Key={SupportKey}", "--ApiKeys:Keys:0:Scopes:0=support");
            var accounts = new AccountsService.AccountsServiceClient(host.Channel());
            var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var login = $"smtp-{suffix}@example.com";

            await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good, RecoveryEmail = $"backup-{suffix}@example.net" },
                new Metadata { { "x-device-id", "laptop" }, { "x-client-ip", "203.0.113.5" } });
            var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good },
                new Metadata { { "x-device-id", "new-phone" }, { "x-client-ip", "198.51.100.7" } })).SessionToken);
            var confirmation = await ArrivedAsync(m => m.To.ToString() == login && (m.Subject ?? string.Empty).Contains("Confirm your login", StringComparison.Ordinal));
            await accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = LoginCodes.From(confirmation.TextBody ?? string.Empty) }, auth);
            var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
            {
                ContactDetails = new Hosting.Organizations.V1.ContactDetails
                {
                    Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Mail Test SA", Street = "Rue 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                },
            }, auth)).Organization;
            await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization.Name, Email = $"invitee-{suffix}@example.org" }, auth);
            await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });

            var alert = await ArrivedAsync(m => m.To.ToString() == login && (m.Subject ?? string.Empty).Contains("New sign-in", StringComparison.Ordinal));
            Assert.Contains("198.51.100.7", alert.TextBody ?? string.Empty, StringComparison.Ordinal);
            var invitation = await ArrivedAsync(m => m.To.ToString() == $"invitee-{suffix}@example.org");
            Assert.Contains("Mail Test SA", invitation.Subject, StringComparison.Ordinal);
            var reset = await ArrivedAsync(m => m.To.ToString() == $"backup-{suffix}@example.net");
            var token = (reset.TextBody ?? string.Empty).Split("once): ")[1].Split('\n')[0].Trim();
            await accounts.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = token, NewPassword = Passwords.Other });
            await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other });
            Assert.Equal("no-reply@hosting.example", ((MailboxAddress)alert.From[0]).Address);

            // A product due today renews itself from an empty wallet: the renewal fails and the billing members hear of it.
            var organizationId = Guid.Parse(organization.Name.Split('/')[1]);
            var options = new DbContextOptionsBuilder<HostingDbContext>().UseSqlite($"Data Source={data}/hosting.db").Options;
            await using (var db = new HostingDbContext(options))
            {
                var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.DomainName, "mail-test.ch", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), DateTimeOffset.UtcNow.AddYears(-1)).Value;
                product.Activate(DateTimeOffset.UtcNow.AddDays(-1));
                product.SetAutoRenewal(true, "wallet");
                db.Add(product);
                await db.SaveChangesAsync();
            }

            await new SupportService.SupportServiceClient(host.Channel()).RunRenewalsAsync(new RunRenewalsRequest(), new Metadata { { "x-api-key", SupportKey } });
            var renewal = await ArrivedAsync(m => m.To.ToString() == login && (m.Subject ?? string.Empty).Contains("Renewal of mail-test.ch failed", StringComparison.Ordinal));
            Assert.Contains("INSUFFICIENT_FUNDS", renewal.TextBody ?? string.Empty, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
