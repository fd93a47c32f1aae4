using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Notifications;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Grpc;

/// <summary>A login is proven before it is used (ACC-12), through the host as a client sees it.</summary>
public sealed class LoginConfirmationTests
{
    private static Hosting.Organizations.V1.ContactDetails Contact() => new()
    {
        Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Meier Web", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
    };

    private static async Task<Metadata> UnconfirmedAsync(HostFactory host, string login)
    {
        var accounts = host.Accounts();
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        return Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
    }

    private static List<OutboxMessage> Outbox(HostFactory host, string recipient, string kind)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>()
            .AsNoTracking().Where(m => m.Recipient == recipient && m.Kind == kind).ToList();
    }

    private static Task Refused(Func<Task> call) => RpcAssert.FailsAsync(call, StatusCode.FailedPrecondition, "LOGIN_NOT_CONFIRMED");

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ORG-4")]
    public async Task StrangerWithAnInvitedAddress_SeesNoInvitationAndCannotAcceptIt_UntilTheLoginIsProven()
    {
        using var host = new HostFactory();
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var owner = await host.SignedUpAsync("owner@company.example");
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, owner)).Organization;
        var invitation = (await organizations.CreateInvitationAsync(new CreateInvitationRequest
        {
            Parent = organization.Name, Email = "new.accountant@company.example", Rights = new Hosting.Organizations.V1.MemberRights { Administrator = true, Billing = true },
        }, owner)).Invitation;

        // Whoever signs up first with the invited address gets a session, and nothing with it.
        var stranger = await UnconfirmedAsync(host, "new.accountant@company.example");
        await Refused(() => organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest(), stranger).ResponseAsync);
        await Refused(() => organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, stranger).ResponseAsync);
        await Refused(() => organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), stranger).ResponseAsync);
        var members = await organizations.ListMembersAsync(new ListMembersRequest { Parent = organization.Name }, owner);
        Assert.DoesNotContain(members.Members, m => m.Login == "new.accountant@company.example");

        // The code went to the address itself: whoever types it owns that mailbox, and may accept.
        var confirmed = await host.ConfirmLoginAsync("new.accountant@company.example", stranger);
        Assert.True(confirmed.LoginConfirmed);
        Assert.Null(confirmed.LapseTime);
        Assert.Single((await organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest(), stranger)).Invitations);
        await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, stranger);
        Assert.Single((await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), stranger)).Organizations);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ACC-8")]
    public async Task UnconfirmedAccount_CannotCreateOrganizations_NorGetAResetToken_ButMayReadItselfAndConfirm()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        const string login = "unproven@example.com";
        var auth = await UnconfirmedAsync(host, login);

        await Refused(() => organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth).ResponseAsync);
        await Refused(() => accounts.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Good, NewPassword = Passwords.Other }, auth).ResponseAsync);
        await Refused(() => accounts.ListSessionsAsync(new ListSessionsRequest(), auth).ResponseAsync);
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        Assert.Empty(Outbox(host, login, "password-reset"));

        var me = (await accounts.GetAccountAsync(new GetAccountRequest(), auth)).Account;
        Assert.False(me.LoginConfirmed);
        Assert.Equal(me.CreateTime.ToDateTimeOffset() + TimeSpan.FromHours(24), me.LapseTime.ToDateTimeOffset());
        Assert.Single(Outbox(host, login, "login-confirmation"));

        await host.ConfirmLoginAsync(login, auth);
        await organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth);
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        Assert.Single(Outbox(host, login, "password-reset"));
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task WrongCodes_AreRefusedAndCounted_UntilTheCodeStopsWorking()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        const string login = "guesser@example.com";
        var auth = await UnconfirmedAsync(host, login);
        var code = host.LoginCode(login);
        var wrong = code == "00000000" ? "11111111" : "00000000";

        for (var left = 4; left >= 0; left--)
        {
            var refused = await RpcAssert.FailsAsync(
                () => accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = wrong }, auth).ResponseAsync, StatusCode.InvalidArgument, "LOGIN_CODE_INVALID");
            Assert.Equal("code", refused.ViolatedField());
            Assert.Equal($"{left}", refused.GetDetail<ErrorInfo>()!.Metadata["attempts_left"]);
        }

        // Five wrong guesses spent the code: even the right one no longer works.
        await RpcAssert.FailsAsync(
            () => accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = code }, auth).ResponseAsync, StatusCode.FailedPrecondition, "LOGIN_CODE_ATTEMPTS_EXHAUSTED");
        Assert.False((await accounts.GetAccountAsync(new GetAccountRequest(), auth)).Account.LoginConfirmed);

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await accounts.ResendLoginCodeAsync(new ResendLoginCodeRequest(), auth);
        Assert.NotEqual(code, host.LoginCode(login));
        Assert.True((await accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = host.LoginCode(login) }, auth)).Account.LoginConfirmed);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task UsedCode_DoesNotWorkTwice_AndAReplacedCodeNotAtAll()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        var auth = await UnconfirmedAsync(host, "once@example.com");
        var first = host.LoginCode("once@example.com");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await accounts.ResendLoginCodeAsync(new ResendLoginCodeRequest(), auth);
        var second = host.LoginCode("once@example.com");

        await RpcAssert.FailsAsync(
            () => accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = first }, auth).ResponseAsync, StatusCode.InvalidArgument, "LOGIN_CODE_INVALID");
        await accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = second }, auth);
        await RpcAssert.FailsAsync(
            () => accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = second }, auth).ResponseAsync, StatusCode.FailedPrecondition, "LOGIN_ALREADY_CONFIRMED");
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task ExpiredCode_IsRefused()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        var auth = await UnconfirmedAsync(host, "late@example.com");
        var code = host.LoginCode("late@example.com");

        host.Clock.Advance(TimeSpan.FromMinutes(30));

        await RpcAssert.FailsAsync(
            () => accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = code }, auth).ResponseAsync, StatusCode.FailedPrecondition, "LOGIN_CODE_EXPIRED");
        Assert.False((await accounts.GetAccountAsync(new GetAccountRequest(), auth)).Account.LoginConfirmed);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task ResendingACode_IsLimitedInRateAndNumber()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        var auth = await UnconfirmedAsync(host, "resend@example.com");

        var tooSoon = await RpcAssert.FailsAsync(
            () => accounts.ResendLoginCodeAsync(new ResendLoginCodeRequest(), auth).ResponseAsync, StatusCode.ResourceExhausted, "LOGIN_CODE_RESEND_TOO_SOON");
        Assert.NotNull(tooSoon.GetDetail<RetryInfo>());
        for (var i = 0; i < 4; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(1));
            await accounts.ResendLoginCodeAsync(new ResendLoginCodeRequest(), auth);
        }

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await RpcAssert.FailsAsync(
            () => accounts.ResendLoginCodeAsync(new ResendLoginCodeRequest(), auth).ResponseAsync, StatusCode.ResourceExhausted, "LOGIN_CODE_RESEND_LIMIT");
        Assert.Equal(5, Outbox(host, "resend@example.com", "login-confirmation").Count);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task UnconfirmedAccount_LapsesAfter24Hours_AndItsLoginIsFreeAgain()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        const string login = "squatter@example.com";
        await UnconfirmedAsync(host, login);
        await RpcAssert.FailsAsync(
            () => accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Other }).ResponseAsync, StatusCode.AlreadyExists, "LOGIN_TAKEN");

        host.Clock.Advance(TimeSpan.FromHours(24));

        await RpcAssert.FailsAsync(
            () => accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync, StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        var owner = await host.SignedUpAsync(login, Passwords.Other);
        var me = (await accounts.GetAccountAsync(new GetAccountRequest(), owner)).Account;
        Assert.True(me.LoginConfirmed);
        await RpcAssert.FailsAsync(
            () => accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync, StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ORG-1")]
    public async Task FirstOrder_SendsACode_AndItsAccountCanDoNothingUntilConfirmed_AndLapsesWithItsOrganization()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        const string login = "first-order@example.com";
        OrderFirstProductRequest Order(string password) => new()
        {
            ContactDetails = Contact(), Login = login, Password = password, ProductType = Hosting.Organizations.V1.ProductType.WebHosting, ProductDisplayName = "Shop",
        };
        var order = await organizations.OrderFirstProductAsync(Order(Passwords.Good));
        var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);

        Assert.Single(Outbox(host, login, "login-confirmation"));
        await Refused(() => organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = order.Organization.Name }, auth).ResponseAsync);

        // Unconfirmed for a day: the account and its organization lapse, and the login can order again.
        host.Clock.Advance(TimeSpan.FromHours(24));
        var again = await organizations.OrderFirstProductAsync(Order(Passwords.Other));
        var owner = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other })).SessionToken);
        await host.ConfirmLoginAsync(login, owner);
        var mine = await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), owner);
        Assert.Equal(again.Organization.Name, Assert.Single(mine.Organizations).Name);
        Assert.NotEqual(order.Organization.Name, again.Organization.Name);
    }
}

/// <summary>Reset emails have a budget per login (ACC-8), beyond which requests are answered alike and send nothing.</summary>
public sealed class PasswordResetBudgetTests
{
    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequestsBeyondTheLoginsBudget_AreAnsweredAlike_AndSendNothing()
    {
        using var host = new HostFactory();
        var accounts = host.Accounts();
        const string login = "bombed@example.com";
        await host.SignedUpAsync(login);
        int Sent()
        {
            using var scope = host.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>().Count(m => m.Recipient == login && m.Kind == "password-reset");
        }

        for (var i = 0; i < 6; i++)
        {
            // Every request gets the same empty answer, sent or not.
            Assert.Equal(new RequestPasswordResetResponse(), await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login }));
        }

        await host.IssuePasswordResetsAsync();
        Assert.Equal(3, Sent());
        host.Clock.Advance(TimeSpan.FromHours(1));
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        Assert.Equal(4, Sent());
    }
}
