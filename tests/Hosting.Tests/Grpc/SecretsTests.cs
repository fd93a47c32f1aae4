using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Core.Notifications;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;
using OtpTotp = Hosting.Core.Security.Totp;

namespace Hosting.Tests.Grpc;

/// <summary>
/// Runs the journeys of every service through one recording channel with every log line
/// captured, then looks for every secret the journeys used or produced (passwords, session and
/// reset tokens, TOTP secrets, recovery codes, and the stored hashes and digests) everywhere but
/// the one reply that hands it to its owner.
/// </summary>
public sealed class SecretsTests(FuzzHostFactory host) : IClassFixture<FuzzHostFactory>
{
    private const string MailboxPassword = "mailbox secret words 1";
    private const string NewMailboxPassword = "another mailbox secret 2";
    private const string CredentialPassword = "ssh secret words 1";

    [Fact]
    [Trait("Rule", "ACC-1")]
    [Trait("Rule", "ACC-3")]
    [Trait("Rule", "ACC-8")]
    public async Task NoLogLineErrorOrReply_CarriesAPasswordTokenTotpSecretOrHash()
    {
        var recorder = new Recorder();
        var invoker = host.Channel().Intercept(recorder);
        var accounts = new AccountsService.AccountsServiceClient(invoker);
        var organizations = new OrganizationsService.OrganizationsServiceClient(invoker);
        var mailboxes = new MailboxesService.MailboxesServiceClient(invoker);
        var wallet = new WalletService.WalletServiceClient(invoker);
        var billing = new BillingService.BillingServiceClient(invoker);
        var secrets = new List<(string Secret, string BornIn)>
        {
            (Passwords.Good, ""), (Passwords.Other, ""), (MailboxPassword, ""), (NewMailboxPassword, ""), (CredentialPassword, ""),
        };

        // Accounts: sign-up, failures, sign-in, password change, reset, 2FA.
        const string login = "secrets@example.com";
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good, RecoveryEmail = "recovery@example.com" });
        await Refused(() => accounts.SignUpAsync(new SignUpRequest { Login = "weak@example.com", Password = "password" }).ResponseAsync);
        await Refused(() => accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other }).ResponseAsync);
        var first = await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        secrets.Add((first.SessionToken, "SignIn"));
        var auth = Bearer.Of(first.SessionToken);
        await accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = host.LoginCode(login) }, auth);
        await Refused(() => accounts.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Other, NewPassword = Passwords.Other }, auth).ResponseAsync);
        await accounts.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Good, NewPassword = Passwords.Other }, auth);
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        var resetToken = ResetTokenFor("recovery@example.com");
        secrets.Add((resetToken, ""));
        await accounts.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = resetToken, NewPassword = Passwords.Good });
        await Refused(() => accounts.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = resetToken, NewPassword = Passwords.Other }).ResponseAsync);
        var second = await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        secrets.Add((second.SessionToken, "SignIn"));
        auth = Bearer.Of(second.SessionToken);
        var enrollment = await accounts.BeginTwoFactorEnrollmentAsync(new BeginTwoFactorEnrollmentRequest { CurrentPassword = Passwords.Good }, auth);
        secrets.Add((enrollment.Secret, "BeginTwoFactorEnrollment"));
        var confirmed = await accounts.ConfirmTwoFactorAsync(new ConfirmTwoFactorRequest { TotpCode = OtpTotp.CodeAt(enrollment.Secret, host.Clock.GetUtcNow()) }, auth);
        secrets.AddRange(confirmed.RecoveryCodes.Select(c => (c, "ConfirmTwoFactor")));
        await Refused(() => accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good, RecoveryCode = "not-a-code" }).ResponseAsync);
        var third = await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good, RecoveryCode = confirmed.RecoveryCodes[0] });
        secrets.Add((third.SessionToken, "SignIn"));
        await accounts.ListSessionsAsync(new ListSessionsRequest(), auth);
        await accounts.ListActivityAsync(new ListActivityRequest(), auth);
        await accounts.GetAccountAsync(new GetAccountRequest(), auth);

        // Organizations, mailboxes and product credentials.
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = Hosting.Organizations.V1.HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, auth)).Organization.Name;
        await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = "guest@example.com" }, auth);
        var mailService = AddMailService(organization);
        var mailbox = (await mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = mailService, LocalPart = "info", Password = MailboxPassword }, auth)).Mailbox;
        var mailServer = new Metadata { { "x-api-key", FuzzHostFactory.AllScopesKey } };
        await mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = mailbox.Address, Password = MailboxPassword }, mailServer);
        await Refused(() => mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = mailbox.Address, Password = Passwords.Good }, mailServer).ResponseAsync);
        await mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = NewMailboxPassword }, auth);
        await mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = mailbox.Address, MailboxPassword = NewMailboxPassword }, auth);
        await mailboxes.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest(), auth);
        await mailboxes.CreateProductCredentialAsync(new CreateProductCredentialRequest { Parent = mailService, Kind = CredentialKind.Ssh, Username = "deploy", Password = CredentialPassword }, auth);
        await mailboxes.ListProductCredentialsAsync(new ListProductCredentialsRequest { Parent = mailService }, auth);

        // Money.
        await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 10_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "s1" }, auth);
        await billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, auth);
        await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, auth);

        await accounts.SignOutAsync(new SignOutRequest(), auth);
        await Refused(() => accounts.GetAccountAsync(new GetAccountRequest(), auth).ResponseAsync);

        secrets.AddRange(StoredSecrets().Select(s => (s, "")));
        Assert.True(recorder.Replies.Count > 30);
        Assert.NotEmpty(host.Logs.Lines);
        var found = new List<string>();
        foreach (var (secret, bornIn) in secrets)
        {
            found.AddRange(host.Logs.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).Select(_ => $"log line holds a secret born in '{bornIn}'"));
            found.AddRange(recorder.Replies.Where(r => r.Method != bornIn && r.Text.Contains(secret, StringComparison.Ordinal)).Select(r => $"{r.Method} reply holds a secret born in '{bornIn}'"));
        }

        Assert.Empty(found);
    }

    private static async Task Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private string ResetTokenFor(string recipient)
    {
        using var scope = host.Services.CreateScope();
        var message = scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>()
            .AsEnumerable().Single(m => m.Recipient == recipient && m.Kind == "password-reset");
        return message.Body.Split("once): ")[1].Split('\n')[0];
    }

    /// <summary>The hashes and digests as stored, and their salt-free tails.</summary>
    private List<string> StoredSecrets()
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var hashes = db.Set<Hosting.Core.Accounts.UserAccount>().Select(a => a.PasswordHash).ToList()
            .Concat(db.Set<Hosting.Core.Mailboxes.Mailbox>().Select(m => m.PasswordHash).ToList())
            .Concat(db.Set<Hosting.Core.Mailboxes.ProductCredential>().Select(c => c.PasswordHash).ToList())
            .ToList();
        var digests = db.Set<Hosting.Core.Accounts.Session>().Select(s => s.TokenDigest).ToList();
        Assert.NotEmpty(hashes);
        Assert.NotEmpty(digests);
        return [.. hashes, .. hashes.Select(h => h.Split('$')[^1]), .. digests];
    }

    private string AddMailService(string organization)
    {
        var organizationId = Guid.Parse(organization.Split('/')[1]);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.MailService, "secrets.ch", Hosting.Core.Shared.Money.FromTrusted(1800, "CHF"), host.Clock.GetUtcNow()).Value;
        product.Activate(host.Clock.GetUtcNow().AddYears(1));
        db.Add(product);
        db.SaveChanges();
        return $"{organization}/products/{product.Id}";
    }

    /// <summary>Keeps the text of every reply and every error, named by the RPC.</summary>
    private sealed class Recorder : Interceptor
    {
        public List<(string Method, string Text)> Replies { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(request, context);
            return new AsyncUnaryCall<TResponse>(Record(call.ResponseAsync, context.Method.Name), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private async Task<TResponse> Record<TResponse>(Task<TResponse> response, string method)
        {
            try
            {
                var value = await response;
                lock (Replies)
                {
                    Replies.Add((method, (value as IMessage)?.ToString() ?? string.Empty));
                }

                return value;
            }
            catch (RpcException e)
            {
                lock (Replies)
                {
                    Replies.Add(($"{method} (error)", $"{e.Status.Detail} " + Encoding.UTF8.GetString(e.Trailers.GetValueBytes("grpc-status-details-bin") ?? [])));
                }

                throw;
            }
        }
    }
}
