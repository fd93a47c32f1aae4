using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Persistence.Stores;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

/// <summary>A login is proven before it is used (ACC-12), at the rules' exact limits.</summary>
public sealed class LoginConfirmationRuleTests : IDisposable
{
    private const string Login = "new@example.com";
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private LoginConfirmationPolicy Policy => _h.Options.LoginConfirmation;

    /// <summary>Signs up without confirming, as a person who has not read the email yet.</summary>
    private async Task<AuthenticatedUser> UnconfirmedAsync(string login = Login)
    {
        var account = await _h.Accounts().SignUpAsync(login, Passwords.Good, null, Contexts.Home);
        Assert.True(account.IsSuccess, account.Error?.Reason);
        return new AuthenticatedUser(account.Value.Id, Guid.Empty);
    }

    private Task<Result<UserAccount>> ConfirmAsync(AuthenticatedUser user, string? code) => _h.Accounts().ConfirmLoginAsync(user, code);

    private string WrongCode() => _h.LoginCode(Login) == "00000000" ? "11111111" : "00000000";

    private LoginConfirmation StoredCode() => _h.Query(db => db.Set<LoginConfirmation>().AsNoTracking().Single());

    private UserAccount StoredAccount() => _h.Query(db => db.Set<UserAccount>().AsNoTracking().Single());

    private List<Hosting.Core.Notifications.OutboxMessage> CodesSent() =>
        _h.AllOutbox().Where(m => m.Kind == NotificationKinds.LoginConfirmation).ToList();

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task SignUp_SendsOneCodeToTheLogin_SayingHowLongItAndTheAccountLast()
    {
        var user = await UnconfirmedAsync();

        var message = Assert.Single(CodesSent());
        Assert.Equal(Login, message.Recipient);
        Assert.Equal("Confirm your login", message.Subject);
        Assert.Contains("valid 30 minutes, once", message.Body, StringComparison.Ordinal);
        Assert.Contains("lapses unconfirmed after 24 hours", message.Body, StringComparison.Ordinal);
        Assert.Matches(@"once\): \d{8}\n", message.Body);
        var code = StoredCode();
        Assert.Equal(user.AccountId, code.AccountId);
        Assert.Equal(AccountsHarness.Start, code.IssuedAt);
        Assert.Equal(AccountsHarness.Start + Policy.CodeLifetime, code.ExpiresAt);
        Assert.Equal(1, code.CodesIssued);
        Assert.Equal(0, code.FailedAttempts);
        Assert.DoesNotContain(_h.LoginCode(Login), code.CodeDigest, StringComparison.Ordinal);
        var account = StoredAccount();
        Assert.False(account.LoginConfirmed);
        Assert.Equal(AccountsHarness.Start + Policy.UnconfirmedLifetime, account.LapsesAt(Policy));
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_WithTheRightCode_ProvesTheLogin_AndSpendsTheCode()
    {
        var user = await UnconfirmedAsync();
        var before = StoredAccount().ETag;

        var confirmed = await ConfirmAsync(user, _h.LoginCode(Login));

        Assert.True(confirmed.IsSuccess, confirmed.Error?.Reason);
        var account = StoredAccount();
        Assert.True(account.LoginConfirmed);
        Assert.Null(account.LapsesAt(Policy));
        Assert.NotEqual(before, account.ETag);
        Assert.Equal(0, _h.Query(db => db.Set<LoginConfirmation>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AcceptsTheCodeTypedWithSpacesAndDashes()
    {
        var user = await UnconfirmedAsync();
        var code = _h.LoginCode(Login);

        var confirmed = await ConfirmAsync(user, $" {code[..4]}-{code[4..6]} {code[6..]} ");

        Assert.True(confirmed.IsSuccess, confirmed.Error?.Reason);
    }

    [Theory]
    [Trait("Rule", "ACC-12")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Confirm_WithoutACode_IsRefusedOnTheCodeField_AndSpendsNoAttempt(string? code)
    {
        var user = await UnconfirmedAsync();

        var error = ResultAssert.Fails(await ConfirmAsync(user, code), "LOGIN_CODE_REQUIRED");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("code", Assert.Single(error.Fields).Field);
        Assert.Equal(0, StoredCode().FailedAttempts);
    }

    [Theory]
    [Trait("Rule", "ACC-12")]
    [InlineData("wrong")]
    [InlineData("short")]
    [InlineData("long")]
    public async Task Confirm_WithAWrongCode_IsRefused_AndTheSpentAttemptIsKept(string kind)
    {
        var user = await UnconfirmedAsync();
        var right = _h.LoginCode(Login);
        var typed = kind switch { "short" => right[..7], "long" => right + "0", _ => WrongCode() };

        var error = ResultAssert.Fails(await ConfirmAsync(user, typed), "LOGIN_CODE_INVALID");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("code", Assert.Single(error.Fields).Field);
        Assert.Equal($"{Policy.AttemptsPerCode - 1}", error.Metadata["attempts_left"]);
        Assert.Equal(1, StoredCode().FailedAttempts);
        Assert.False(StoredAccount().LoginConfirmed);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AfterOneWrongCodeFewerThanTheLimit_StillAcceptsTheRightOne()
    {
        var user = await UnconfirmedAsync();
        for (var i = 0; i < Policy.AttemptsPerCode - 1; i++)
        {
            ResultAssert.Fails(await ConfirmAsync(user, WrongCode()), "LOGIN_CODE_INVALID");
        }

        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AfterExactlyTheAttemptsPerCodeWrongCodes_RefusesTheRightOne_WithoutCountingFurther()
    {
        var user = await UnconfirmedAsync();
        for (var left = Policy.AttemptsPerCode - 1; left >= 0; left--)
        {
            var wrong = ResultAssert.Fails(await ConfirmAsync(user, WrongCode()), "LOGIN_CODE_INVALID");
            Assert.Equal($"{left}", wrong.Metadata["attempts_left"]);
        }

        var error = ResultAssert.Fails(await ConfirmAsync(user, _h.LoginCode(Login)), "LOGIN_CODE_ATTEMPTS_EXHAUSTED");

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal(Policy.AttemptsPerCode, StoredCode().FailedAttempts);
        Assert.False(StoredAccount().LoginConfirmed);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_JustBeforeTheCodeExpires_Works()
    {
        var user = await UnconfirmedAsync();

        _h.Clock.Advance(Policy.CodeLifetime - Tick);

        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AtTheCodesExpiry_IsRefused_AndSpendsNoAttempt()
    {
        var user = await UnconfirmedAsync();

        _h.Clock.Advance(Policy.CodeLifetime);

        var error = ResultAssert.Fails(await ConfirmAsync(user, _h.LoginCode(Login)), "LOGIN_CODE_EXPIRED");
        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal(0, StoredCode().FailedAttempts);
        Assert.False(StoredAccount().LoginConfirmed);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_WithNoCodeOnRecord_IsRefusedAsExpired()
    {
        var user = await UnconfirmedAsync();
        _h.Query(db => db.Set<LoginConfirmation>().ExecuteDelete());

        ResultAssert.Fails(await ConfirmAsync(user, _h.LoginCode(Login)), "LOGIN_CODE_EXPIRED");
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AndResend_OnceConfirmed_AreRefused()
    {
        var user = await UnconfirmedAsync();
        var code = _h.LoginCode(Login);
        Assert.True((await ConfirmAsync(user, code)).IsSuccess);
        _h.Clock.Advance(Policy.ResendInterval);

        var again = ResultAssert.Fails(await ConfirmAsync(user, code), "LOGIN_ALREADY_CONFIRMED");
        var resend = ResultAssert.Fails(await _h.Accounts().ResendLoginCodeAsync(user), "LOGIN_ALREADY_CONFIRMED");

        Assert.Equal(ErrorKind.FailedPrecondition, again.Kind);
        Assert.Equal(ErrorKind.FailedPrecondition, resend.Kind);
        Assert.Single(CodesSent());
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Confirm_AndResend_ForAnAccountThatIsGone_AreRefusedAsAnInvalidSession()
    {
        var stranger = new AuthenticatedUser(Guid.NewGuid(), Guid.NewGuid());

        ResultAssert.Fails(await ConfirmAsync(stranger, "12345678"), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Accounts().ResendLoginCodeAsync(stranger), "SESSION_INVALID");
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Resend_JustBeforeTheInterval_IsRefused_WithTheTimeLeft()
    {
        var user = await UnconfirmedAsync();

        _h.Clock.Advance(Policy.ResendInterval - Tick);

        var error = ResultAssert.Fails(await _h.Accounts().ResendLoginCodeAsync(user), "LOGIN_CODE_RESEND_TOO_SOON");
        Assert.Equal(ErrorKind.ResourceExhausted, error.Kind);
        Assert.Equal(Tick, error.RetryAfter);
        Assert.Single(CodesSent());
        Assert.Equal(1, StoredCode().CodesIssued);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Resend_AtTheInterval_ReplacesTheCode_AndStartsItsAttemptsAfresh()
    {
        var user = await UnconfirmedAsync();
        var first = _h.LoginCode(Login);
        ResultAssert.Fails(await ConfirmAsync(user, WrongCode()), "LOGIN_CODE_INVALID");
        _h.Clock.Advance(Policy.ResendInterval);
        var now = _h.Clock.GetUtcNow();

        var resent = await _h.Accounts().ResendLoginCodeAsync(user);

        Assert.Equal(now + Policy.CodeLifetime, resent.Value);
        Assert.Equal(2, CodesSent().Count);
        var stored = StoredCode();
        Assert.Equal(now, stored.IssuedAt);
        Assert.Equal(now + Policy.CodeLifetime, stored.ExpiresAt);
        Assert.Equal(0, stored.FailedAttempts);
        Assert.Equal(2, stored.CodesIssued);
        var second = _h.LoginCode(Login);
        Assert.NotEqual(first, second);
        var replaced = ResultAssert.Fails(await ConfirmAsync(user, first), "LOGIN_CODE_INVALID");
        Assert.Equal($"{Policy.AttemptsPerCode - 1}", replaced.Metadata["attempts_left"]);
        Assert.True((await ConfirmAsync(user, second)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Resend_ExtendsTheCodesLife_FromTheResend()
    {
        var user = await UnconfirmedAsync();
        _h.Clock.Advance(Policy.CodeLifetime - Policy.ResendInterval);
        await _h.Accounts().ResendLoginCodeAsync(user);

        _h.Clock.Advance(Policy.CodeLifetime - Tick);

        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Resend_SendsAtMostMaxCodesInAll_EvenOnceTheIntervalHasPassed()
    {
        var user = await UnconfirmedAsync();
        for (var i = 1; i < Policy.MaxCodes; i++)
        {
            _h.Clock.Advance(Policy.ResendInterval);
            Assert.True((await _h.Accounts().ResendLoginCodeAsync(user)).IsSuccess);
        }

        // The limit answers first: waiting would not help.
        ResultAssert.Fails(await _h.Accounts().ResendLoginCodeAsync(user), "LOGIN_CODE_RESEND_LIMIT");
        _h.Clock.Advance(Policy.ResendInterval);
        var error = ResultAssert.Fails(await _h.Accounts().ResendLoginCodeAsync(user), "LOGIN_CODE_RESEND_LIMIT");

        Assert.Equal(ErrorKind.ResourceExhausted, error.Kind);
        Assert.Equal(Policy.MaxCodes, CodesSent().Count);
        Assert.Equal(Policy.MaxCodes, StoredCode().CodesIssued);
        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task Resend_WithNoCodeOnRecord_IssuesAFreshOne()
    {
        var user = await UnconfirmedAsync();
        _h.Query(db => db.Set<LoginConfirmation>().ExecuteDelete());

        var resent = await _h.Accounts().ResendLoginCodeAsync(user);

        Assert.Equal(AccountsHarness.Start + Policy.CodeLifetime, resent.Value);
        Assert.Equal(1, StoredCode().CodesIssued);
        Assert.Equal(2, CodesSent().Count);
        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task UnconfirmedSession_IsRefusedOutsideTheConfirmingCalls_AndAcceptedByThem()
    {
        await UnconfirmedAsync();
        var session = await _h.SignInAsync(Login);

        var refused = ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(session.Token), "LOGIN_NOT_CONFIRMED");
        var allowed = await _h.Accounts().AuthenticateAsync(session.Token, allowUnconfirmedLogin: true);

        Assert.Equal(ErrorKind.FailedPrecondition, refused.Kind);
        Assert.Equal(session.Session.Id, allowed.Value.SessionId);
        Assert.Equal(Login, allowed.Value.Login?.Value);
        Assert.True((await ConfirmAsync(allowed.Value, _h.LoginCode(Login))).IsSuccess);
        Assert.True((await _h.Accounts().AuthenticateAsync(session.Token)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task UnconfirmedAccount_JustBeforeItLapses_StillSignsInAndConfirms()
    {
        var user = await UnconfirmedAsync();
        _h.Clock.Advance(Policy.UnconfirmedLifetime - Policy.ResendInterval);
        await _h.Accounts().ResendLoginCodeAsync(user);
        _h.Clock.Advance(Policy.ResendInterval - Tick);

        var session = await _h.SignInAsync(Login);

        Assert.True((await _h.Accounts().AuthenticateAsync(session.Token, allowUnconfirmedLogin: true)).IsSuccess);
        ResultAssert.Fails(await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Home), "LOGIN_TAKEN");
        Assert.True((await ConfirmAsync(user, _h.LoginCode(Login))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task UnconfirmedAccount_AtItsLifetime_CountsAsGone_EvenForTheConfirmingCalls()
    {
        await UnconfirmedAsync();
        _h.Clock.Advance(Policy.UnconfirmedLifetime - TimeSpan.FromMinutes(1));
        var session = await _h.SignInAsync(Login);

        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(session.Token, allowUnconfirmedLogin: true), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(session.Token), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Accounts().SignInAsync(Login, Passwords.Good, null, null, Contexts.Home), "INVALID_CREDENTIALS");
        Assert.True(StoredAccount().HasLapsed(_h.Clock.GetUtcNow(), Policy));
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task LapsedAccount_FreesItsLogin_ForANewSignUp_WhichStartsAfresh()
    {
        var lapsed = await UnconfirmedAsync();
        _h.Clock.Advance(Policy.UnconfirmedLifetime);

        var again = await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Travel);

        Assert.True(again.IsSuccess, again.Error?.Reason);
        var account = StoredAccount();
        Assert.Equal(again.Value.Id, account.Id);
        Assert.NotEqual(lapsed.AccountId, account.Id);
        Assert.Equal(again.Value.Id, StoredCode().AccountId);
        Assert.Equal(0, _h.Query(db => db.Set<ActivityEntry>().Count(e => e.AccountId == lapsed.AccountId)));
        Assert.True((await _h.Accounts().SignInAsync(Login, Passwords.Other, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    public async Task ConfirmedAccount_NeverLapses()
    {
        await _h.SignUpAsync(Login);

        _h.Clock.Advance(Policy.UnconfirmedLifetime * 2);

        ResultAssert.Fails(await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Home), "LOGIN_TAKEN");
        Assert.False(StoredAccount().HasLapsed(_h.Clock.GetUtcNow(), Policy));
        Assert.True((await _h.Accounts().SignInAsync(Login, Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ORG-1")]
    public async Task LapsedFirstOrderAccount_TakesItsOrganizationWithIt_WhenItsLoginIsTakenAgain()
    {
        var order = await FirstOrderAsync();
        _h.Clock.Advance(Policy.UnconfirmedLifetime);

        Assert.True((await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Home)).IsSuccess);

        var organization = _h.Query(db => db.Set<Organization>().IgnoreQueryFilters().AsNoTracking().Single(o => o.Id == order.Organization.Id));
        Assert.Equal(_h.Clock.GetUtcNow(), organization.DeletedAt);
        var product = _h.Query(db => db.Set<Product>().IgnoreQueryFilters().AsNoTracking().Single(p => p.OrganizationId == organization.Id));
        Assert.Equal(_h.Clock.GetUtcNow(), product.TerminatedAt);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ORG-6")]
    public async Task LapsedAccount_LeavesAnOrganizationItShares_WhichKeepsItsOtherMembersAndProducts()
    {
        var (owner, organizationId) = await _h.OrganizationAsync();
        var product = _h.AddProduct(organizationId, ProductType.WebHosting, "site.example", _h.Clock.GetUtcNow().AddYears(1));
        var lapsing = await UnconfirmedAsync();
        await SeatAsync(organizationId, lapsing.AccountId);

        _h.Clock.Advance(Policy.UnconfirmedLifetime);
        Assert.True((await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Home)).IsSuccess);

        var organization = _h.Query(db => db.Set<Organization>().IgnoreQueryFilters().AsNoTracking().Single(o => o.Id == organizationId));
        Assert.Null(organization.DeletedAt);
        Assert.Equal(1, organization.MemberCount);
        Assert.Equal([owner.AccountId], _h.Query(db => db.Set<Membership>().AsNoTracking().Where(m => m.OrganizationId == organizationId).Select(m => m.AccountId).ToList()));
        Assert.Null(_h.Query(db => db.Set<Product>().AsNoTracking().Single(p => p.Id == product.Id)).TerminatedAt);
    }

    [Fact]
    [Trait("Rule", "ACC-12")]
    [Trait("Rule", "ORG-6")]
    public async Task LapsedAccount_ThatIsTheOnlyLegalRepresentativeOfASharedOrganization_IsHeldBack_AndKeepsItsLogin()
    {
        var order = await FirstOrderAsync();
        var organizationId = order.Organization.Id;
        var colleague = await _h.UserAsync("colleague@example.com");
        await SeatAsync(organizationId, colleague.AccountId);
        _h.Clock.Advance(Policy.UnconfirmedLifetime);

        var again = await _h.Accounts().SignUpAsync(Login, Passwords.Other, null, Contexts.Home);

        Assert.Equal("LOGIN_TAKEN", again.Error?.Reason);
        var organization = _h.Query(db => db.Set<Organization>().IgnoreQueryFilters().AsNoTracking().Single(o => o.Id == organizationId));
        Assert.Null(organization.DeletedAt);
        Assert.Equal(2, organization.MemberCount);
        Assert.Equal(1, organization.LegalRepresentativeCount);
        Assert.Equal(2, _h.Query(db => db.Set<Membership>().Count(m => m.OrganizationId == organizationId)));
        Assert.Null(_h.Query(db => db.Set<Product>().AsNoTracking().Single(p => p.OrganizationId == organizationId)).TerminatedAt);
        Assert.Contains(order.Account.Id, _h.Query(db => db.Set<UserAccount>().Select(a => a.Id).ToList()));
    }

    /// <summary>A first order (ORG-1) by the unconfirmed login, which creates its account and organization.</summary>
    private async Task<FirstOrder> FirstOrderAsync()
    {
        var order = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, Login, Passwords.Good, ProductType.WebHosting, "Shop", Contexts.Home);
        Assert.True(order.IsSuccess, order.Error?.Reason);
        return order.Value;
    }

    /// <summary>
    /// Seats an account in the organization without an invitation, as only a Core embedder can: the
    /// service refuses an unproven login's acceptance (ACC-12).
    /// </summary>
    private async Task SeatAsync(Guid organizationId, Guid accountId)
    {
        using var db = _h.NewDb();
        var organization = (await new EfOrganizationStore(db).FindAsync(organizationId, [accountId], CancellationToken.None))!;
        Assert.True(organization.AddMember(accountId, new MemberRights(false, [], false), _h.Clock.GetUtcNow()).IsSuccess);
        await db.SaveChangesAsync();
    }
}
