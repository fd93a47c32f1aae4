using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.GrpcHost.Limits;
using CoreSession = Hosting.Core.Accounts.Session;
using CoreActivity = Hosting.Core.Accounts.ActivityEntry;

namespace Hosting.GrpcHost.Services;

/// <summary>The Accounts gRPC service: maps requests to <see cref="AccountService"/> and back.</summary>
internal sealed class AccountsGrpcService(AccountService accounts, OrganizationService organizations, AccountOptions options) : AccountsService.AccountsServiceBase
{
    [AnonymousCaller]
    [RateLimited(RateLimitedAttribute.SignIn)]
    public override async Task<SignUpResponse> SignUp(SignUpRequest request, ServerCallContext context)
    {
        var account = (await accounts.SignUpAsync(request.Login, request.Password, request.RecoveryEmail, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new SignUpResponse { Account = ToProto(account) };
    }

    [AnonymousCaller]
    [RateLimited(RateLimitedAttribute.SignIn)]
    public override async Task<SignInResponse> SignIn(SignInRequest request, ServerCallContext context)
    {
        var signedIn = (await accounts.SignInAsync(request.Login, request.Password, request.TotpCode, request.RecoveryCode, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new SignInResponse
        {
            SessionToken = signedIn.Token,
            Session = ToProto(signedIn.Session, signedIn.Session.Id),
            Account = ToProto(signedIn.Account),
        };
    }

    [UserCaller(AllowUnconfirmedLogin = true)]
    public override async Task<SignOutResponse> SignOut(SignOutRequest request, ServerCallContext context)
    {
        (await accounts.SignOutAsync(context.User(), context.SignInContext(), context.CancellationToken)).OrThrow();
        return new SignOutResponse();
    }

    [UserCaller(AllowUnconfirmedLogin = true)]
    public override async Task<GetAccountResponse> GetAccount(GetAccountRequest request, ServerCallContext context)
    {
        var account = (await accounts.GetAccountAsync(context.User(), context.CancellationToken)).OrThrow();
        return new GetAccountResponse { Account = ToProto(account) };
    }

    [UserCaller(AllowUnconfirmedLogin = true)]
    [RateLimited(RateLimitedAttribute.LoginConfirmation)]
    public override async Task<ConfirmLoginResponse> ConfirmLogin(ConfirmLoginRequest request, ServerCallContext context)
    {
        var account = (await accounts.ConfirmLoginAsync(context.User(), request.Code, context.CancellationToken)).OrThrow();
        return new ConfirmLoginResponse { Account = ToProto(account) };
    }

    [UserCaller(AllowUnconfirmedLogin = true)]
    [RateLimited(RateLimitedAttribute.LoginConfirmation)]
    public override async Task<ResendLoginCodeResponse> ResendLoginCode(ResendLoginCodeRequest request, ServerCallContext context)
    {
        var expires = (await accounts.ResendLoginCodeAsync(context.User(), context.CancellationToken)).OrThrow();
        return new ResendLoginCodeResponse { CodeExpireTime = Timestamp.FromDateTimeOffset(expires) };
    }

    [UserCaller]
    public override async Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var user = context.User();
        var page = (await accounts.ListSessionsAsync(user, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListSessionsResponse { NextPageToken = page.NextPageToken };
        response.Sessions.AddRange(page.Items.Select(s => ToProto(s, user.SessionId)));
        return response;
    }

    [UserCaller]
    public override async Task<RevokeOtherSessionsResponse> RevokeOtherSessions(RevokeOtherSessionsRequest request, ServerCallContext context)
    {
        var count = (await accounts.RevokeOtherSessionsAsync(context.User(), context.SignInContext(), context.CancellationToken)).OrThrow();
        return new RevokeOtherSessionsResponse { RevokedCount = count };
    }

    [UserCaller]
    public override async Task<ChangePasswordResponse> ChangePassword(ChangePasswordRequest request, ServerCallContext context)
    {
        var (account, revoked) = (await accounts.ChangePasswordAsync(
            context.User(), request.CurrentPassword, request.NewPassword, request.Etag, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new ChangePasswordResponse { Account = ToProto(account), RevokedSessions = revoked };
    }

    [UserCaller]
    public override async Task<UpdateRecoveryEmailResponse> UpdateRecoveryEmail(UpdateRecoveryEmailRequest request, ServerCallContext context)
    {
        var account = (await accounts.UpdateRecoveryEmailAsync(
            context.User(), request.CurrentPassword, request.RecoveryEmail, request.Etag, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new UpdateRecoveryEmailResponse { Account = ToProto(account) };
    }

    [AnonymousCaller]
    [RateLimited(RateLimitedAttribute.PasswordReset)]
    public override async Task<RequestPasswordResetResponse> RequestPasswordReset(RequestPasswordResetRequest request, ServerCallContext context)
    {
        (await accounts.RequestPasswordResetAsync(request.Login, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new RequestPasswordResetResponse();
    }

    [AnonymousCaller]
    [RateLimited(RateLimitedAttribute.PasswordReset)]
    public override async Task<ResetPasswordResponse> ResetPassword(ResetPasswordRequest request, ServerCallContext context)
    {
        (await accounts.ResetPasswordAsync(request.ResetToken, request.NewPassword, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new ResetPasswordResponse();
    }

    [UserCaller]
    public override async Task<BeginTwoFactorEnrollmentResponse> BeginTwoFactorEnrollment(BeginTwoFactorEnrollmentRequest request, ServerCallContext context)
    {
        var enrollment = (await accounts.BeginTwoFactorEnrollmentAsync(context.User(), request.CurrentPassword, context.CancellationToken)).OrThrow();
        return new BeginTwoFactorEnrollmentResponse { Secret = enrollment.Base32Secret, OtpauthUri = enrollment.OtpAuthUri };
    }

    [UserCaller]
    public override async Task<ConfirmTwoFactorResponse> ConfirmTwoFactor(ConfirmTwoFactorRequest request, ServerCallContext context)
    {
        var codes = (await accounts.ConfirmTwoFactorAsync(context.User(), request.TotpCode, context.SignInContext(), context.CancellationToken)).OrThrow();
        var response = new ConfirmTwoFactorResponse();
        response.RecoveryCodes.AddRange(codes);
        return response;
    }

    [UserCaller]
    public override async Task<DisableTwoFactorResponse> DisableTwoFactor(DisableTwoFactorRequest request, ServerCallContext context)
    {
        (await accounts.DisableTwoFactorAsync(
            context.User(), request.CurrentPassword, request.TotpCode, request.RecoveryCode, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new DisableTwoFactorResponse();
    }

    [UserCaller]
    public override async Task<ListActivityResponse> ListActivity(ListActivityRequest request, ServerCallContext context)
    {
        var page = (await accounts.ListActivityAsync(context.User(), request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListActivityResponse { NextPageToken = page.NextPageToken };
        response.Entries.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<DeleteAccountResponse> DeleteAccount(DeleteAccountRequest request, ServerCallContext context)
    {
        (await organizations.DeleteAccountAsync(context.User(), request.CurrentPassword, context.CancellationToken)).OrThrow();
        return new DeleteAccountResponse();
    }

    private Account ToProto(UserAccount account) => new()
    {
        Name = $"accounts/{account.Id}",
        Login = account.Login.Value,
        RecoveryEmail = account.RecoveryEmail?.Value ?? string.Empty,
        TwoFactorEnabled = account.TwoFactorEnabled,
        CreateTime = Timestamp.FromDateTimeOffset(account.CreatedAt),
        Etag = account.ETag,
        LoginConfirmed = account.LoginConfirmed,
        LapseTime = account.LapsesAt(options.LoginConfirmation) is { } lapses ? Timestamp.FromDateTimeOffset(lapses) : null,
    };

    private static Accounts.V1.Session ToProto(CoreSession session, Guid currentSessionId) => new()
    {
        Name = $"accounts/{session.AccountId}/sessions/{session.Id}",
        CreateTime = Timestamp.FromDateTimeOffset(session.CreatedAt),
        ExpireTime = Timestamp.FromDateTimeOffset(session.ExpiresAt),
        Device = session.DeviceId ?? string.Empty,
        UserAgent = session.UserAgent ?? string.Empty,
        IpAddress = session.IpAddress ?? string.Empty,
        Current = session.Id == currentSessionId,
    };

    private static Accounts.V1.ActivityEntry ToProto(CoreActivity entry) => new()
    {
        Name = $"accounts/{entry.AccountId}/activity/{entry.Id}",
        Time = Timestamp.FromDateTimeOffset(entry.At),
        Kind = (Accounts.V1.ActivityKind)(int)entry.Kind,
        IpAddress = entry.IpAddress ?? string.Empty,
        Device = entry.Device ?? string.Empty,
    };
}
