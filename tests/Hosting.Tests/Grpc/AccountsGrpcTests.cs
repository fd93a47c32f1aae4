using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Notifications;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpTotp = Hosting.Core.Security.Totp;

namespace Hosting.Tests.Grpc;

public abstract class AccountsGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private AccountsService.AccountsServiceClient _client => host.Accounts();

    private static string NewLogin() => $"user-{Guid.NewGuid():N}@example.com";

    private async Task<(string Login, SignInResponse SignIn)> SignedInAsync()
    {
        var login = NewLogin();
        await _client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var signIn = await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        signIn.Account = await host.ConfirmLoginAsync(login, Bearer.Of(signIn.SessionToken));
        return (login, signIn);
    }

    private List<OutboxMessage> Outbox(string recipient)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>()
            .AsNoTracking().Where(m => m.Recipient == recipient && m.Kind != Hosting.Core.Accounts.NotificationKinds.LoginConfirmation).ToList();
    }

    [SkippableFact]
    [Trait("Rule", "ACC-10")]
    public async Task DeletedAccount_EndsEverySessionOfIt()
    {
        host.SkipUnlessAvailable();
        var (login, first) = await SignedInAsync();
        var second = await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });

        await _client.DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = Passwords.Good }, Bearer.Of(first.SessionToken));

        foreach (var token in new[] { first.SessionToken, second.SessionToken })
        {
            await RpcAssert.FailsAsync(() => _client.GetAccountAsync(new GetAccountRequest(), Bearer.Of(token)).ResponseAsync, StatusCode.Unauthenticated, "SESSION_INVALID");
        }
    }

    [SkippableFact]
    [Trait("Rule", "ACC-3")]
    public async Task SignUpThenSignIn_GivesAWorkingBearerToken()
    {
        host.SkipUnlessAvailable();
        var login = NewLogin();
        var signUp = await _client.SignUpAsync(new SignUpRequest { Login = login.ToUpperInvariant(), Password = Passwords.Good });

        var signIn = await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        var me = await _client.GetAccountAsync(new GetAccountRequest(), Bearer.Of(signIn.SessionToken));

        Assert.Equal(login, signUp.Account.Login);
        Assert.Equal(signUp.Account.Name, me.Account.Name);
        Assert.StartsWith("accounts/", me.Account.Name, StringComparison.Ordinal);
        Assert.True(signIn.Session.Current);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-1")]
    public async Task BadEmail_IsInvalidArgument_OnTheLoginField()
    {
        host.SkipUnlessAvailable();
        var status = await RpcAssert.FailsAsync(
            () => _client.SignUpAsync(new SignUpRequest { Login = "not an email", Password = Passwords.Good }).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_EMAIL");

        Assert.Equal("login", status.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "ACC-2")]
    public async Task WeakPassword_IsInvalidArgument_NamingTheRule()
    {
        host.SkipUnlessAvailable();
        var status = await RpcAssert.FailsAsync(
            () => _client.SignUpAsync(new SignUpRequest { Login = NewLogin(), Password = "short" }).ResponseAsync,
            StatusCode.InvalidArgument, "PASSWORD_TOO_SHORT");

        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("password", violation.Field);
        Assert.Equal("PASSWORD_TOO_SHORT", violation.Reason);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-1")]
    public async Task DuplicateLogin_IsAlreadyExists()
    {
        host.SkipUnlessAvailable();
        var login = NewLogin();
        await _client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });

        await RpcAssert.FailsAsync(
            () => _client.SignUpAsync(new SignUpRequest { Login = $" {login.ToUpperInvariant()} ", Password = Passwords.Other }).ResponseAsync,
            StatusCode.AlreadyExists, "LOGIN_TAKEN");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-3")]
    public async Task WrongPassword_AndUnknownLogin_AreTheSameUnauthenticated()
    {
        host.SkipUnlessAvailable();
        var (login, _) = await SignedInAsync();

        var wrong = await RpcAssert.FailsAsync(
            () => _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other }).ResponseAsync,
            StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        var unknown = await RpcAssert.FailsAsync(
            () => _client.SignInAsync(new SignInRequest { Login = NewLogin(), Password = Passwords.Other }).ResponseAsync,
            StatusCode.Unauthenticated, "INVALID_CREDENTIALS");

        Assert.Equal(wrong, unknown);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-4")]
    public async Task LockedLogin_IsResourceExhausted_WithARetryDelay()
    {
        host.SkipUnlessAvailable();
        var (login, _) = await SignedInAsync();
        for (var i = 0; i < 10; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(1));
            await RpcAssert.FailsAsync(
                () => _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other }).ResponseAsync,
                StatusCode.Unauthenticated, "INVALID_CREDENTIALS");
        }

        var status = await RpcAssert.FailsAsync(
            () => _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync,
            StatusCode.ResourceExhausted, "SIGN_IN_LOCKED");

        Assert.Equal(TimeSpan.FromMinutes(15), status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan());
    }

    [SkippableFact]
    [Trait("Rule", "ACC-8")]
    public async Task UsedAndExpiredResetTokens_AreRefused()
    {
        host.SkipUnlessAvailable();
        var (login, _) = await SignedInAsync();
        await _client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        var first = Assert.Single(Outbox(login), m => m.Kind == "password-reset").Body.Split("once): ")[1].Split('\n')[0];

        await _client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = first, NewPassword = Passwords.Other });
        await RpcAssert.FailsAsync(
            () => _client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = first, NewPassword = Passwords.Good }).ResponseAsync,
            StatusCode.FailedPrecondition, "RESET_TOKEN_USED");

        await _client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        var second = Outbox(login).Where(m => m.Kind == "password-reset").Select(m => m.Body.Split("once): ")[1].Split('\n')[0]).Single(t => t != first);
        host.Clock.Advance(TimeSpan.FromHours(2));
        await RpcAssert.FailsAsync(
            () => _client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = second, NewPassword = Passwords.Good }).ResponseAsync,
            StatusCode.FailedPrecondition, "RESET_TOKEN_EXPIRED");
        await RpcAssert.FailsAsync(
            () => _client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = "never-issued", NewPassword = Passwords.Good }).ResponseAsync,
            StatusCode.InvalidArgument, "RESET_TOKEN_INVALID");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequest_ForUnknownLogin_AnswersLikeAKnownOne()
    {
        host.SkipUnlessAvailable();
        var (login, _) = await SignedInAsync();

        var known = await _client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        var unknown = await _client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = NewLogin() });

        Assert.Equal(known, unknown);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-7")]
    public async Task WrongTotpCode_IsUnauthenticated_AndTheRightOneSignsIn()
    {
        host.SkipUnlessAvailable();
        var (login, signIn) = await SignedInAsync();
        var auth = Bearer.Of(signIn.SessionToken);
        var enrollment = await _client.BeginTwoFactorEnrollmentAsync(new BeginTwoFactorEnrollmentRequest { CurrentPassword = Passwords.Good }, auth);
        var confirm = await _client.ConfirmTwoFactorAsync(new ConfirmTwoFactorRequest { TotpCode = OtpTotp.CodeAt(enrollment.Secret, host.Clock.GetUtcNow()) }, auth);
        host.Clock.Advance(TimeSpan.FromSeconds(30));

        await RpcAssert.FailsAsync(
            () => _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync,
            StatusCode.Unauthenticated, "SECOND_FACTOR_REQUIRED");
        await RpcAssert.FailsAsync(
            () => _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good, TotpCode = "000000" }).ResponseAsync,
            StatusCode.Unauthenticated, "INVALID_SECOND_FACTOR");
        var ok = await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good, TotpCode = OtpTotp.CodeAt(enrollment.Secret, host.Clock.GetUtcNow()) });

        Assert.NotEmpty(ok.SessionToken);
        Assert.Equal(10, confirm.RecoveryCodes.Count);
        Assert.True(ok.Account.TwoFactorEnabled);
    }

    [SkippableFact]
    [Trait("Rule", "API-2")]
    public async Task MissingBearerToken_IsUnauthenticated()
    {
        host.SkipUnlessAvailable();
        await RpcAssert.FailsAsync(
            () => _client.GetAccountAsync(new GetAccountRequest()).ResponseAsync,
            StatusCode.Unauthenticated, "SESSION_REQUIRED");
        await RpcAssert.FailsAsync(
            () => _client.GetAccountAsync(new GetAccountRequest(), Bearer.Of("made-up")).ResponseAsync,
            StatusCode.Unauthenticated, "SESSION_INVALID");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-3")]
    public async Task ExpiredBearerToken_IsUnauthenticated()
    {
        host.SkipUnlessAvailable();
        var (_, signIn) = await SignedInAsync();

        host.Clock.Advance(TimeSpan.FromDays(15));

        await RpcAssert.FailsAsync(
            () => _client.GetAccountAsync(new GetAccountRequest(), Bearer.Of(signIn.SessionToken)).ResponseAsync,
            StatusCode.Unauthenticated, "SESSION_INVALID");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-3")]
    public async Task SignOut_EndsTheSession()
    {
        host.SkipUnlessAvailable();
        var (_, signIn) = await SignedInAsync();
        var auth = Bearer.Of(signIn.SessionToken);

        await _client.SignOutAsync(new SignOutRequest(), auth);

        await RpcAssert.FailsAsync(() => _client.GetAccountAsync(new GetAccountRequest(), auth).ResponseAsync, StatusCode.Unauthenticated, "SESSION_INVALID");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-9")]
    public async Task ChangePassword_WithWrongCurrentPassword_IsPermissionDenied()
    {
        host.SkipUnlessAvailable();
        var (_, signIn) = await SignedInAsync();

        var status = await RpcAssert.FailsAsync(
            () => _client.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "not my password", NewPassword = Passwords.Other }, Bearer.Of(signIn.SessionToken)).ResponseAsync,
            StatusCode.PermissionDenied, "WRONG_PASSWORD");

        Assert.Equal("current_password", status.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task StaleEtag_IsAborted()
    {
        host.SkipUnlessAvailable();
        var (_, signIn) = await SignedInAsync();
        var auth = Bearer.Of(signIn.SessionToken);
        var etag = signIn.Account.Etag;
        await _client.UpdateRecoveryEmailAsync(new UpdateRecoveryEmailRequest { CurrentPassword = Passwords.Good, RecoveryEmail = "backup@example.net", Etag = etag }, auth);

        await RpcAssert.FailsAsync(
            () => _client.UpdateRecoveryEmailAsync(new UpdateRecoveryEmailRequest { CurrentPassword = Passwords.Good, RecoveryEmail = "other@example.net", Etag = etag }, auth).ResponseAsync,
            StatusCode.Aborted, "ETAG_MISMATCH");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-6")]
    public async Task ListActivity_PagesNewestFirst()
    {
        host.SkipUnlessAvailable();
        var login = NewLogin();
        var where = new Metadata { { "x-client-ip", "203.0.113.5" }, { "x-device-id", "phone-1" } };
        await _client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good }, where);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var signIn = await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }, where);
        var auth = Bearer.Of(signIn.SessionToken);
        await host.ConfirmLoginAsync(login, auth);

        var first = await _client.ListActivityAsync(new ListActivityRequest { PageSize = 1 }, auth);
        var second = await _client.ListActivityAsync(new ListActivityRequest { PageSize = 1, PageToken = first.NextPageToken }, auth);

        var newest = Assert.Single(first.Entries);
        Assert.Equal(ActivityKind.SignInSucceeded, newest.Kind);
        Assert.Equal("203.0.113.5", newest.IpAddress);
        Assert.Equal("phone-1", newest.Device);
        Assert.Equal(ActivityKind.AccountCreated, Assert.Single(second.Entries).Kind);
        Assert.Equal(string.Empty, second.NextPageToken);
        await RpcAssert.FailsAsync(
            () => _client.ListActivityAsync(new ListActivityRequest { PageSize = -1 }, auth).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_PAGE_SIZE");
    }

    [SkippableFact]
    [Trait("Rule", "ACC-5")]
    public async Task SignIn_FromANewDevice_QueuesAnAlert_ToTheLogin()
    {
        host.SkipUnlessAvailable();
        var login = NewLogin();
        await _client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good }, new Metadata { { "x-client-ip", "203.0.113.5" }, { "x-device-id", "phone-1" } });

        await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }, new Metadata { { "x-client-ip", "203.0.113.5" }, { "x-device-id", "phone-1" } });
        Assert.Empty(Outbox(login));
        await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }, new Metadata { { "x-client-ip", "203.0.113.5" }, { "x-device-id", "borrowed-laptop" } });

        Assert.Equal("new-location-sign-in", Assert.Single(Outbox(login)).Kind);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-3")]
    public async Task ListSessions_MarksTheCurrentOne_AndRevokeOthersKeepsIt()
    {
        host.SkipUnlessAvailable();
        var (login, signIn) = await SignedInAsync();
        await _client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        var auth = Bearer.Of(signIn.SessionToken);

        var before = await _client.ListSessionsAsync(new ListSessionsRequest(), auth);
        var revoked = await _client.RevokeOtherSessionsAsync(new RevokeOtherSessionsRequest(), auth);
        var after = await _client.ListSessionsAsync(new ListSessionsRequest(), auth);

        Assert.Equal(2, before.Sessions.Count);
        Assert.Equal(1, revoked.RevokedCount);
        Assert.True(Assert.Single(after.Sessions).Current);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class AccountsGrpcTests(HostFactory host) : AccountsGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class AccountsGrpcTestsPostgres(PostgresHostFactory host) : AccountsGrpcTestsBase<PostgresHostFactory>(host);
