using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>The worked example of the provider's page on identifiers, against the host as a process.</summary>
public sealed class MailboxJourneyTests(RunningHost host) : IClassFixture<RunningHost>
{
    private static readonly Metadata MailServer = new() { { "x-api-key", RunningHost.MailServerKey } };

    [Fact]
    [Trait("Rule", "MBX-1")]
    [Trait("Rule", "MBX-2")]
    [Trait("Rule", "MBX-3")]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-9")]
    public async Task FamilyBusinessExample_PasswordsChangeExactlyAsThePageDescribes()
    {
        var accounts = new AccountsService.AccountsServiceClient(host.Channel());
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var mailboxes = new MailboxesService.MailboxesServiceClient(host.Channel());
        async Task<bool> MailAppAsync(string address, string password)
        {
            try
            {
                await mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = address, Password = password }, MailServer);
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                return false;
            }
        }

        async Task<Metadata> SignInAsync(string login, string password) =>
            Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = password })).SessionToken);

        // 1. A person with an address at an outside provider orders a mail service: account and organization in one step.
        var order = await organizations.OrderFirstProductAsync(new OrderFirstProductRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Individual, FirstName = "Famille", LastName = "Munster", Street = "Rue 1", PostalCode = "1000", City = "Lausanne", Country = "CH",
            },
            Login = "famille.munster@la-fibre.xyz",
            Password = "63! iGm877",
            ProductType = Hosting.Organizations.V1.ProductType.MailService,
            ProductDisplayName = "entreprise-familiale.xyz",
        });
        var owner = await SignInAsync("famille.munster@la-fibre.xyz", "63! iGm877");
        await host.ConfirmLoginAsync("famille.munster@la-fibre.xyz", owner);

        // Nothing is served until the mail service is paid (MBX-6).
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        var billing = new BillingService.BillingServiceClient(host.Channel());
        await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = order.Organization.Name, Amount = new Hosting.Wallets.V1.Money { Minor = 5_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "mail-fund" }, owner);
        await billing.CheckoutAsync(new CheckoutRequest { Parent = order.Organization.Name, Products = { order.Product.Name }, PaymentMethod = "wallet", RequestId = "mail-pay" }, owner);

        // 2. A mailbox with its own password, used by mail apps with that password only.
        var compta = (await mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = order.Product.Name, LocalPart = "compta", Password = "zZ!077rw" }, owner)).Mailbox;
        Assert.True(await MailAppAsync("compta@entreprise-familiale.xyz", "zZ!077rw"));
        Assert.False(await MailAppAsync("compta@entreprise-familiale.xyz", "63! iGm877"));

        // Webmail opens it through the account.
        await mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = "compta@entreprise-familiale.xyz" }, owner);

        // 3. The account password changes: same products, mail apps unaffected, webmail asks for the mailbox password once.
        await accounts.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "63! iGm877", NewPassword = "N3w-account-pass" }, owner);
        Assert.True(await MailAppAsync("compta@entreprise-familiale.xyz", "zZ!077rw"));
        Assert.Single((await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), owner)).Organizations);
        Assert.True(Assert.Single((await mailboxes.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest(), owner)).Mailboxes).NeedsReconfirmation);
        await mailboxes.ReconfirmWebmailAsync(new ReconfirmWebmailRequest { Address = "compta@entreprise-familiale.xyz", MailboxPassword = "zZ!077rw" }, owner);

        // 4. The mailbox password changes: the new one is needed wherever it was used; the account is unaffected.
        var changed = await mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = compta.Name, NewPassword = "Mailbox-2-secret" }, owner);
        Assert.False(changed.UnificationOffered);
        Assert.Contains("ACCOUNT_LOGIN_IS_MAILBOX_ADDRESS", changed.FailedConditions);
        Assert.False(await MailAppAsync("compta@entreprise-familiale.xyz", "zZ!077rw"));
        Assert.True(await MailAppAsync("compta@entreprise-familiale.xyz", "Mailbox-2-secret"));
        await SignInAsync("famille.munster@la-fibre.xyz", "N3w-account-pass");

        // 5. julie@ with an account of the same login, rights on the mail service and the only webmail link: unification is offered.
        var julieBox = (await mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = order.Product.Name, LocalPart = "julie", Password = "CALif8-F0u" }, owner)).Mailbox;
        var invitation = (await organizations.CreateInvitationAsync(new CreateInvitationRequest
        {
            Parent = order.Organization.Name, Email = "julie@entreprise-familiale.xyz", Rights = new Hosting.Organizations.V1.MemberRights { ProductIds = { order.Product.Name } },
        }, owner)).Invitation;
        await accounts.SignUpAsync(new SignUpRequest { Login = "julie@entreprise-familiale.xyz", Password = "any julie password" });
        var julie = await SignInAsync("julie@entreprise-familiale.xyz", "any julie password");
        await host.ConfirmLoginAsync("julie@entreprise-familiale.xyz", julie);
        await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, julie);
        await mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = "julie@entreprise-familiale.xyz" }, julie);
        var offered = await mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = julieBox.Name, NewPassword = "julie-mailbox-2" }, julie);
        Assert.True(offered.UnificationOffered);
        Assert.Empty(offered.FailedConditions);

        // 6. A second account links the mailbox in its webmail: the offer disappears, naming condition (b).
        await mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = "julie@entreprise-familiale.xyz" }, owner);
        var gone = await mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = julieBox.Name, NewPassword = "julie-mailbox-3", AcceptUnification = true }, julie);
        Assert.False(gone.UnificationOffered);
        Assert.False(gone.Unified);
        Assert.Equal(["ONLY_ACCOUNT_LINKED_IN_WEBMAIL"], gone.FailedConditions);
    }
}
