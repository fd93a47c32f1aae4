using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.Extensions.DependencyInjection;
using ProtoWebmail = Hosting.Mailboxes.V1.WebmailMailbox;

namespace Hosting.Tests.Grpc;

/// <summary>
/// The doors between features around mailboxes, through the host: what a webmail link lasts on
/// (MBX-7), whose domain a mail service serves and whether it is paid (MBX-6), and what accepting
/// unification needs (MBX-4).
/// </summary>
public abstract class MailboxDoorsTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    protected const string MailboxPassword = "mailbox secret words 1";

    protected TFactory Host => host;

    protected MailboxesService.MailboxesServiceClient Mailboxes => new(host.Channel());

    protected OrganizationsService.OrganizationsServiceClient Organizations => new(host.Channel());

    protected AccountsService.AccountsServiceClient Accounts => host.Accounts();

    protected sealed record Shop(Metadata Owner, string Organization, string MailService, string Domain);

    protected sealed record Member(Metadata Auth, string Name, string Login);

    protected static string NewDomain() => $"d{Guid.NewGuid():N}"[..14] + ".ch";

    protected static string NewLogin(string who) => $"{who}-{Guid.NewGuid():N}@example.com";

    protected Task<OrderFirstProductResponse> OrderMailServiceAsync(string login, string domain) =>
        Organizations.OrderFirstProductAsync(new OrderFirstProductRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
            Login = login,
            Password = Passwords.Good,
            ProductType = Hosting.Organizations.V1.ProductType.MailService,
            ProductDisplayName = domain,
        }).ResponseAsync;

    /// <summary>Signs in, proving the login with its emailed code the first time (ACC-12).</summary>
    protected async Task<Metadata> SignInAsync(string login, string password = Passwords.Good)
    {
        var auth = Bearer.Of((await Accounts.SignInAsync(new SignInRequest { Login = login, Password = password })).SessionToken);
        if (!(await Accounts.GetAccountAsync(new GetAccountRequest(), auth)).Account.LoginConfirmed)
        {
            await host.ConfirmLoginAsync(login, auth);
        }

        return auth;
    }

    protected async Task PayAsync(string organization, string product, Metadata owner)
    {
        await new WalletService.WalletServiceClient(host.Channel()).TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 5_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = Guid.NewGuid().ToString("N"),
        }, owner);
        await new BillingService.BillingServiceClient(host.Channel()).CheckoutAsync(new CheckoutRequest
        {
            Parent = organization, Products = { product }, PaymentMethod = "wallet", RequestId = Guid.NewGuid().ToString("N"),
        }, owner);
    }

    /// <summary>A mail service ordered the ordinary way and paid.</summary>
    protected async Task<Shop> PaidMailServiceAsync()
    {
        var domain = NewDomain();
        var login = NewLogin("owner");
        var order = await OrderMailServiceAsync(login, domain);
        var owner = await SignInAsync(login);
        await PayAsync(order.Organization.Name, order.Product.Name, owner);
        return new Shop(owner, order.Organization.Name, order.Product.Name, domain);
    }

    protected async Task<Member> MemberAsync(Shop shop, Hosting.Organizations.V1.MemberRights rights, string? login = null)
    {
        login ??= NewLogin("member");
        await Accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var auth = await SignInAsync(login);
        var invitation = (await Organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = shop.Organization, Email = login, Rights = rights }, shop.Owner)).Invitation;
        await Organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, auth);
        var account = (await Accounts.GetAccountAsync(new GetAccountRequest(), auth)).Account.Name;
        return new Member(auth, $"{shop.Organization}/members/{account.Split('/')[1]}", login);
    }

    protected async Task<Hosting.Mailboxes.V1.Mailbox> MailboxAsync(Shop shop, string localPart) =>
        (await Mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = shop.MailService, LocalPart = localPart, Password = MailboxPassword }, shop.Owner)).Mailbox;

    protected async Task<List<ProtoWebmail>> WebmailAsync(Metadata auth) =>
        [.. (await Mailboxes.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest(), auth)).Mailboxes];
}

/// <summary>The doors that need no mail server, on each store.</summary>
public abstract class MailboxDoorsStoreTestsBase<TFactory>(TFactory host) : MailboxDoorsTestsBase<TFactory>(host)
    where TFactory : HostFactory
{
    [SkippableTheory]
    [Trait("Rule", "MBX-7")]
    [InlineData("member removed")]
    [InlineData("rights narrowed")]
    [InlineData("organization left")]
    [InlineData("product terminated")]
    public async Task WebmailLinkMadeThroughRights_Ends_WhenThoseRightsEnd(string how)
    {
        Host.SkipUnlessAvailable();
        var shop = await PaidMailServiceAsync();
        var info = await MailboxAsync(shop, "info");
        var sales = await MailboxAsync(shop, "sales");
        var member = await MemberAsync(shop, new Hosting.Organizations.V1.MemberRights { ProductIds = { shop.MailService } });
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = info.Address }, member.Auth);
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = sales.Address, MailboxPassword = MailboxPassword }, member.Auth);
        Assert.Equal(2, (await WebmailAsync(member.Auth)).Count);

        switch (how)
        {
            case "member removed":
                await Organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = member.Name }, shop.Owner);
                break;
            case "rights narrowed":
                await Organizations.UpdateMemberAsync(new UpdateMemberRequest
                {
                    Member = new Hosting.Organizations.V1.Member { Name = member.Name, Rights = new Hosting.Organizations.V1.MemberRights() },
                    UpdateMask = new FieldMask { Paths = { "rights.product_ids" } },
                }, shop.Owner);
                break;
            case "organization left":
                await Organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = shop.Organization }, member.Auth);
                break;
            default:
                await Organizations.TerminateProductAsync(new TerminateProductRequest { Name = shop.MailService }, shop.Owner);
                break;
        }

        // The link made with the password lasts; the one made through rights is gone and cannot be made again without them.
        var left = Assert.Single(await WebmailAsync(member.Auth));
        Assert.Equal(sales.Address, left.Address);
        Assert.False(left.NeedsReconfirmation);
        await RpcAssert.FailsAsync(() => Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = info.Address }, member.Auth).ResponseAsync, StatusCode.PermissionDenied, "MAILBOX_PASSWORD_REQUIRED");
    }

    [SkippableFact]
    [Trait("Rule", "MBX-7")]
    public async Task WebmailLinkMadeWithThePassword_NeedsReconfirmation_AfterThatPasswordChanges()
    {
        Host.SkipUnlessAvailable();
        var shop = await PaidMailServiceAsync();
        var info = await MailboxAsync(shop, "info");
        var outsider = await SignInAsync(await SignedUpAsync(NewLogin("outsider")));
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = info.Address, MailboxPassword = MailboxPassword }, outsider);
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = info.Address }, shop.Owner);

        await Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = info.Name, NewPassword = "brand new mailbox secret 3" }, shop.Owner);

        Assert.True(Assert.Single(await WebmailAsync(outsider)).NeedsReconfirmation);
        Assert.False(Assert.Single(await WebmailAsync(shop.Owner)).NeedsReconfirmation);
        await RpcAssert.FailsAsync(() => Mailboxes.ReconfirmWebmailAsync(new ReconfirmWebmailRequest { Address = info.Address, MailboxPassword = MailboxPassword }, outsider).ResponseAsync, StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        await Mailboxes.ReconfirmWebmailAsync(new ReconfirmWebmailRequest { Address = info.Address, MailboxPassword = "brand new mailbox secret 3" }, outsider);
        Assert.False(Assert.Single(await WebmailAsync(outsider)).NeedsReconfirmation);
    }

    [SkippableFact]
    [Trait("Rule", "MBX-6")]
    public async Task OrderingAMailService_ForADomainAnotherOrganizationServes_IsRefused_WhateverItsCaseOrIdnForm()
    {
        Host.SkipUnlessAvailable();
        var label = $"bücher{Guid.NewGuid():N}"[..20];
        await OrderMailServiceAsync(NewLogin("first"), $"{label}.ch");
        var ascii = new IdnMapping().GetAscii($"{label}.ch");

        foreach (var same in new[] { $"{label.ToUpperInvariant()}.CH", ascii, $"{ascii.ToUpperInvariant()}." })
        {
            var login = NewLogin("second");
            var status = await RpcAssert.FailsAsync(() => OrderMailServiceAsync(login, same), StatusCode.AlreadyExists, "MAIL_DOMAIN_TAKEN");
            Assert.Equal("product_display_name", status.ViolatedField());
            await RpcAssert.FailsAsync(() => Accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync, StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        }
    }

    [SkippableFact]
    [Trait("Rule", "MBX-6")]
    public async Task ConcurrentOrders_ForOneDomain_LeaveOneWinner_AndTerminationFreesTheDomain()
    {
        Host.SkipUnlessAvailable();
        var domain = NewDomain();
        var logins = new[] { NewLogin("racer"), NewLogin("racer") };
        var orders = logins.Select((l, i) => Outcome(OrderMailServiceAsync(l, i == 0 ? domain : domain.ToUpperInvariant()))).ToArray();
        var outcomes = await Task.WhenAll(orders);

        var winner = Assert.Single(outcomes, o => o.Order is not null).Order!;
        Assert.Equal("MAIL_DOMAIN_TAKEN", Assert.Single(outcomes, o => o.Order is null).Reason);

        var owner = await SignInAsync(logins[outcomes[0].Order is not null ? 0 : 1]);
        await Organizations.TerminateProductAsync(new TerminateProductRequest { Name = winner.Product.Name }, owner);
        await OrderMailServiceAsync(NewLogin("later"), domain);
    }

    [SkippableFact]
    [Trait("Rule", "MBX-6")]
    public async Task OrderingIntoAnExistingOrganization_AMailServiceForATakenDomain_IsRefused()
    {
        Host.SkipUnlessAvailable();
        var taken = NewDomain();
        await OrderMailServiceAsync(NewLogin("first"), taken);
        var shop = await PaidMailServiceAsync();
        var billing = new BillingService.BillingServiceClient(Host.Channel());
        ConfirmOrderRequest Order(params string[] domains)
        {
            var request = new ConfirmOrderRequest { Parent = shop.Organization, PaymentMethod = "bank-transfer", RequestId = Guid.NewGuid().ToString("N") };
            request.Lines.AddRange(domains.Select(d => new CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.MailService, DisplayName = d }));
            return request;
        }

        var status = await RpcAssert.FailsAsync(() => billing.ConfirmOrderAsync(Order(taken.ToUpperInvariant()), shop.Owner).ResponseAsync, StatusCode.AlreadyExists, "MAIL_DOMAIN_TAKEN");
        Assert.Equal("lines[0].display_name", status.ViolatedField());
        var twice = NewDomain();
        status = await RpcAssert.FailsAsync(() => billing.ConfirmOrderAsync(Order(twice, twice.ToUpperInvariant()), shop.Owner).ResponseAsync, StatusCode.AlreadyExists, "MAIL_DOMAIN_TAKEN");
        Assert.Equal("lines[1].display_name", status.ViolatedField());

        // Ordered this way, the domain is taken for every other way too.
        await billing.ConfirmOrderAsync(Order(twice), shop.Owner);
        await RpcAssert.FailsAsync(() => OrderMailServiceAsync(NewLogin("late"), twice), StatusCode.AlreadyExists, "MAIL_DOMAIN_TAKEN");
    }

    [SkippableFact]
    [Trait("Rule", "MBX-6")]
    public async Task AnUnpaidMailService_CreatesNoMailboxAndNoCredential_UntilPaid()
    {
        Host.SkipUnlessAvailable();
        var login = NewLogin("unpaid");
        var order = await OrderMailServiceAsync(login, NewDomain());
        var owner = await SignInAsync(login);

        await RpcAssert.FailsAsync(() => Mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = order.Product.Name, LocalPart = "info", Password = MailboxPassword }, owner).ResponseAsync, StatusCode.FailedPrecondition, "PRODUCT_NOT_ACTIVE");
        await RpcAssert.FailsAsync(() => Mailboxes.CreateProductCredentialAsync(new CreateProductCredentialRequest { Parent = order.Product.Name, Kind = CredentialKind.Ftp, Username = "upload", Password = "ftp secret words 1" }, owner).ResponseAsync, StatusCode.FailedPrecondition, "PRODUCT_NOT_ACTIVE");
        Assert.Empty((await Mailboxes.ListMailboxesAsync(new ListMailboxesRequest { Parent = order.Product.Name }, owner)).Mailboxes);

        await PayAsync(order.Organization.Name, order.Product.Name, owner);
        await Mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = order.Product.Name, LocalPart = "info", Password = MailboxPassword }, owner);
        await Mailboxes.CreateProductCredentialAsync(new CreateProductCredentialRequest { Parent = order.Product.Name, Kind = CredentialKind.Ftp, Username = "upload", Password = "ftp secret words 1" }, owner);
    }

    [SkippableFact]
    [Trait("Rule", "MBX-4")]
    public async Task AcceptingUnification_WithoutTheCurrentAccountPassword_IsRefused_AndChangesNothing()
    {
        Host.SkipUnlessAvailable();
        var (_, julie, mailbox) = await UnificationOfferedAsync();

        await RpcAssert.FailsAsync(() => Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = "stolen session secret 5", AcceptUnification = true }, julie.Auth).ResponseAsync, StatusCode.PermissionDenied, "WRONG_PASSWORD");
        await RpcAssert.FailsAsync(() => Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = "stolen session secret 5", AcceptUnification = true, CurrentPassword = Passwords.Other }, julie.Auth).ResponseAsync, StatusCode.PermissionDenied, "WRONG_PASSWORD");
        await RpcAssert.FailsAsync(() => Mailboxes.AcceptPasswordUnificationAsync(new AcceptPasswordUnificationRequest { Name = mailbox.Name, MailboxPassword = MailboxPassword }, julie.Auth).ResponseAsync, StatusCode.PermissionDenied, "WRONG_PASSWORD");

        // Nothing changed: neither password, nor the mailbox, nor the sessions (past the throttle the three failures started).
        Assert.False(Assert.Single(await WebmailAsync(julie.Auth)).Unified);
        Host.Clock.Advance(TimeSpan.FromMinutes(2));
        await SignInAsync(julie.Login);
        await Accounts.GetAccountAsync(new GetAccountRequest(), julie.Auth);
    }

    [SkippableFact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-13")]
    public async Task AWrongCurrentPassword_WhenAcceptingUnification_CountsAsAFailedSignIn()
    {
        Host.SkipUnlessAvailable();
        var (_, julie, mailbox) = await UnificationOfferedAsync();

        for (var i = 0; i < 3; i++)
        {
            await RpcAssert.FailsAsync(() => Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = "stolen session secret 5", AcceptUnification = true, CurrentPassword = $"guess number {i} here" }, julie.Auth).ResponseAsync, StatusCode.PermissionDenied, "WRONG_PASSWORD");
        }

        await RpcAssert.FailsAsync(() => Accounts.SignInAsync(new SignInRequest { Login = julie.Login, Password = Passwords.Good }).ResponseAsync, StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");
    }

    [SkippableFact]
    [Trait("Rule", "MBX-4")]
    public async Task AcceptingUnification_WithTheCurrentPassword_EndsTheAccountsOtherSessions()
    {
        Host.SkipUnlessAvailable();
        var (_, julie, mailbox) = await UnificationOfferedAsync();
        var other = await SignInAsync(julie.Login);

        var changed = await Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = "one shared secret 7", AcceptUnification = true, CurrentPassword = Passwords.Good }, julie.Auth);

        Assert.True(changed.Unified);
        await RpcAssert.FailsAsync(() => Accounts.GetAccountAsync(new GetAccountRequest(), other).ResponseAsync, StatusCode.Unauthenticated, "SESSION_INVALID");
        await Accounts.GetAccountAsync(new GetAccountRequest(), julie.Auth);
        await SignInAsync(julie.Login, "one shared secret 7");

        // Unified, a mailbox password change is an account password change: it needs the current one too.
        await RpcAssert.FailsAsync(() => Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox.Name, NewPassword = "stolen session secret 5" }, julie.Auth).ResponseAsync, StatusCode.PermissionDenied, "WRONG_PASSWORD");
        await SignInAsync(julie.Login, "one shared secret 7");
    }

    /// <summary>julie@ with her own account, rights on the mail service and the only webmail link: unification is offered.</summary>
    private async Task<(Shop Shop, Member Julie, Hosting.Mailboxes.V1.Mailbox Mailbox)> UnificationOfferedAsync()
    {
        var shop = await PaidMailServiceAsync();
        var mailbox = await MailboxAsync(shop, "julie");
        var julie = await MemberAsync(shop, new Hosting.Organizations.V1.MemberRights { ProductIds = { shop.MailService } }, $"julie@{shop.Domain}");
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = mailbox.Address }, julie.Auth);
        return (shop, julie, mailbox);
    }

    private async Task<string> SignedUpAsync(string login)
    {
        await Accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        return login;
    }

    private static async Task<(OrderFirstProductResponse? Order, string? Reason)> Outcome(Task<OrderFirstProductResponse> order)
    {
        try
        {
            return (await order, null);
        }
        catch (RpcException e)
        {
            return (null, e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        }
    }
}

/// <summary>On SQLite, the embedded store.</summary>
public sealed class MailboxDoorsTests(HostFactory host) : MailboxDoorsStoreTestsBase<HostFactory>(host);

/// <summary>On PostgreSQL.</summary>
public sealed class MailboxDoorsTestsPostgres(PostgresHostFactory host) : MailboxDoorsStoreTestsBase<PostgresHostFactory>(host);

/// <summary>The host with a mail servers' API key, counting password verifications.</summary>
public sealed class MailServerHostFactory : HostFactory
{
    public const string MailServerKey = "mail-server-key-0123456789-abcdefghij";

    private CountingHasher? _hasher;

    public MailServerHostFactory()
    {
        Settings = new()
        {
            ["ApiKeys:Keys:2:Name"] = "mail-servers",
            ["ApiKeys:Keys:2:Key"] = MailServerKey,
            ["ApiKeys:Keys:2:Scopes:0"] = "mailbox.credentials",
        };
        Override = services =>
        {
            var real = services.Last(d => d.ServiceType == typeof(Hosting.Core.Security.IPasswordHasher));
            services.Remove(real);
            services.AddSingleton<Hosting.Core.Security.IPasswordHasher>(sp =>
                _hasher = new CountingHasher((Hosting.Core.Security.IPasswordHasher)real.ImplementationFactory!(sp)));
        };
    }

    /// <summary>Password verifications so far.</summary>
    public int Verifications => _hasher?.Verifications ?? 0;
}

/// <summary>The doors next to the mail servers' check (MBX-6, MBX-7).</summary>
public sealed class MailServerDoorsTests(MailServerHostFactory host) : MailboxDoorsTestsBase<MailServerHostFactory>(host)
{
    private static readonly Metadata MailServer = new() { { "x-api-key", MailServerHostFactory.MailServerKey } };

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task LinkWebmail_PasswordGuesses_AreThrottled_AndTheRightOneThenWaitsToo()
    {
        var shop = await PaidMailServiceAsync();
        var target = await MailboxAsync(shop, "ceo");
        var attacker = (await PaidMailServiceAsync()).Owner;

        var reasons = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            try
            {
                await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = target.Address, MailboxPassword = $"guess number {i} here" }, attacker);
                reasons.Add("OK");
            }
            catch (RpcException e)
            {
                reasons.Add(e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
            }
        }

        Assert.Equal(Enumerable.Repeat("INVALID_CREDENTIALS", 3).Concat(Enumerable.Repeat("SIGN_IN_THROTTLED", 22)), reasons);
        await RpcAssert.FailsAsync(() => Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = target.Address, MailboxPassword = MailboxPassword }, attacker).ResponseAsync, StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");
        await RpcAssert.FailsAsync(() => Mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = target.Address, Password = MailboxPassword }, MailServer).ResponseAsync, StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");
        Assert.Empty(await WebmailAsync(attacker));
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task LinkWebmail_IsRefused_WhileTheMailServerCheckHasTheMailboxLocked()
    {
        var shop = await PaidMailServiceAsync();
        var target = await MailboxAsync(shop, "ceo");
        var attacker = (await PaidMailServiceAsync()).Owner;
        for (var i = 0; i < 10; i++)
        {
            Host.Clock.Advance(TimeSpan.FromMinutes(2));
            await RpcAssert.FailsAsync(() => Mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = target.Address, Password = $"guess number {i} here" }, MailServer).ResponseAsync, StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        }

        await RpcAssert.FailsAsync(() => Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = target.Address, MailboxPassword = MailboxPassword }, attacker).ResponseAsync, StatusCode.ResourceExhausted, "SIGN_IN_LOCKED");
        Assert.Empty(await WebmailAsync(attacker));

        Host.Clock.Advance(TimeSpan.FromMinutes(16));
        await Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = target.Address, MailboxPassword = MailboxPassword }, attacker);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task LinkWebmail_AnUnknownAddress_AnswersAndCostsLikeAWrongPassword()
    {
        var shop = await PaidMailServiceAsync();
        var known = await MailboxAsync(shop, "info");
        var unknown = $"nobody@{shop.Domain}";
        var stranger = (await PaidMailServiceAsync()).Owner;

        async Task<(StatusCode Code, string Reason, int Verifications)> LinkAsync(string address, string? password)
        {
            Host.Clock.Advance(TimeSpan.FromMinutes(2));
            var before = Host.Verifications;
            var e = await Assert.ThrowsAsync<RpcException>(() => Mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = address, MailboxPassword = password ?? string.Empty }, stranger).ResponseAsync);
            return (e.StatusCode, e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason, Host.Verifications - before);
        }

        var wrong = await LinkAsync(known.Address, "wrong password here");
        Assert.Equal((StatusCode.Unauthenticated, "INVALID_CREDENTIALS", 1), wrong);
        Assert.Equal(wrong, await LinkAsync(unknown, "wrong password here"));

        var withoutPassword = await LinkAsync(known.Address, null);
        Assert.Equal((StatusCode.PermissionDenied, "MAILBOX_PASSWORD_REQUIRED"), (withoutPassword.Code, withoutPassword.Reason));
        Assert.Equal(withoutPassword, await LinkAsync(unknown, null));
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task MailServerCheck_RefusesTheMailboxesOfAProductNotActive()
    {
        // A mailbox left on an unpaid mail service by an older version.
        var login = NewLogin("unpaid");
        var order = await OrderMailServiceAsync(login, NewDomain());
        var address = $"old@{order.Product.DisplayName}";
        using (var scope = Host.Services.CreateScope())
        {
            var hasher = scope.ServiceProvider.GetRequiredService<Hosting.Core.Security.IPasswordHasher>();
            var db = scope.ServiceProvider.GetRequiredService<Hosting.Persistence.HostingDbContext>();
            db.Add(Hosting.Core.Mailboxes.Mailbox.Create(
                Guid.NewGuid(), Guid.Parse(order.Organization.Name.Split('/')[1]), Guid.Parse(order.Product.Name.Split('/')[3]),
                Hosting.Core.Shared.EmailAddress.FromTrusted(address), await hasher.HashAsync(MailboxPassword), Host.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        }

        await RpcAssert.FailsAsync(() => Mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = address, Password = MailboxPassword }, MailServer).ResponseAsync, StatusCode.FailedPrecondition, "PRODUCT_NOT_ACTIVE");

        // Paid, it serves; terminated, it stops.
        var owner = await SignInAsync(login);
        await PayAsync(order.Organization.Name, order.Product.Name, owner);
        await Mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = address, Password = MailboxPassword }, MailServer);
        await Organizations.TerminateProductAsync(new TerminateProductRequest { Name = order.Product.Name }, owner);
        await RpcAssert.FailsAsync(() => Mailboxes.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = address, Password = MailboxPassword }, MailServer).ResponseAsync, StatusCode.FailedPrecondition, "PRODUCT_NOT_ACTIVE");
    }
}
