using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class TwoFactorTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private int Logged(ActivityKind kind) => _h.Query(db => db.Set<ActivityEntry>().Count(e => e.Kind == kind));

    private async Task<(AuthenticatedUser User, string Secret, IReadOnlyList<string> Codes)> EnableAsync()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
        var enrollment = (await _h.Accounts().BeginTwoFactorEnrollmentAsync(user, Passwords.Good)).Value;
        var codes = (await _h.Accounts().ConfirmTwoFactorAsync(user, Totp.CodeAt(enrollment.Base32Secret, _h.Clock.GetUtcNow()), Contexts.Home)).Value;
        _h.Clock.Advance(TimeSpan.FromSeconds(30));
        return (user, enrollment.Base32Secret, codes);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task Enrollment_IsNotOnUntilACodeIsConfirmed()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;

        var enrollment = (await _h.Accounts().BeginTwoFactorEnrollmentAsync(user, Passwords.Good)).Value;

        Assert.StartsWith("otpauth://totp/", enrollment.OtpAuthUri, StringComparison.Ordinal);
        Assert.False(_h.Query(db => db.Set<UserAccount>().Single().TwoFactorEnabled));
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
        ResultAssert.Fails(await _h.Accounts().ConfirmTwoFactorAsync(user, "000000", Contexts.Home), "INVALID_SECOND_FACTOR");
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task Enrollment_NeedsTheCurrentPassword()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;

        ResultAssert.Fails(await _h.Accounts().BeginTwoFactorEnrollmentAsync(user, Passwords.Other), "WRONG_PASSWORD");
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task WithTwoFactorOn_SignInNeedsAValidCode()
    {
        var (_, secret, codes) = await EnableAsync();

        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "SECOND_FACTOR_REQUIRED");
        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, "123456", null, Contexts.Home), "INVALID_SECOND_FACTOR");
        var code = Totp.CodeAt(secret, _h.Clock.GetUtcNow());
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, code, null, Contexts.Home)).IsSuccess);
        Assert.Equal(10, codes.Count);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public void ACode_IsSixDigitsSpacedOrNot_WithinOneStepOfDriftEitherWay()
    {
        var secret = Totp.ToBase32(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
        var now = AccountsHarness.Start;
        var step = TimeSpan.FromSeconds(30);
        var code = Totp.CodeAt(secret, now);
        var current = Totp.MatchingStep(secret, code, now);

        Assert.NotNull(current);
        Assert.Equal(current, Totp.MatchingStep(secret, $" {code[..3]} {code[3..]} ", now));
        Assert.Equal(current - 1, Totp.MatchingStep(secret, Totp.CodeAt(secret, now - step), now));
        Assert.Equal(current + 1, Totp.MatchingStep(secret, Totp.CodeAt(secret, now + step), now));
        Assert.Null(Totp.MatchingStep(secret, Totp.CodeAt(secret, now - 3 * step), now));
        foreach (var malformed in new[] { null, "", code[..5], code + "0", code[..5] + "a" })
        {
            Assert.Null(Totp.MatchingStep(secret, malformed, now));
        }
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task ATotpCode_IsAcceptedOnlyOnce()
    {
        var (_, secret, _) = await EnableAsync();
        var code = Totp.CodeAt(secret, _h.Clock.GetUtcNow());

        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, code, null, Contexts.Home)).IsSuccess);

        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, code, null, Contexts.Home), "INVALID_SECOND_FACTOR");
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task RecoveryCodes_WorkOnceEach_AndAreStoredOnlyAsDigests()
    {
        var (_, _, codes) = await EnableAsync();

        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, codes[0].ToLowerInvariant(), Contexts.Home)).IsSuccess);
        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, codes[0], Contexts.Home), "INVALID_SECOND_FACTOR");
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, codes[1], Contexts.Home)).IsSuccess);

        var stored = _h.Query(db => db.Set<UserAccount>().Single().RecoveryCodeDigests);
        Assert.Equal(8, stored.Count);
        Assert.DoesNotContain(stored, d => codes.Any(c => d.Contains(c.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task Disable_NeedsPasswordAndACode_ThenSignInNeedsNoCode()
    {
        var (user, secret, _) = await EnableAsync();
        var session = await _h.SignInAsync(totp: Totp.CodeAt(secret, _h.Clock.GetUtcNow()));
        user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
        _h.Clock.Advance(TimeSpan.FromSeconds(30));

        ResultAssert.Fails(await _h.Accounts().DisableTwoFactorAsync(user, Passwords.Good, "000000", null, Contexts.Home), "INVALID_SECOND_FACTOR");
        Assert.True((await _h.Accounts().DisableTwoFactorAsync(user, Passwords.Good, Totp.CodeAt(secret, _h.Clock.GetUtcNow()), null, Contexts.Home)).IsSuccess);

        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task EnablingTwoFactor_EndsTheOtherSessions()
    {
        await _h.SignUpAsync();
        var other = await _h.SignInAsync();
        var current = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(current.Token)).Value;
        var enrollment = (await _h.Accounts().BeginTwoFactorEnrollmentAsync(user, Passwords.Good)).Value;

        await _h.Accounts().ConfirmTwoFactorAsync(user, Totp.CodeAt(enrollment.Base32Secret, _h.Clock.GetUtcNow()), Contexts.Home);

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(other.Token), "SESSION_INVALID");
        Assert.True((await _h.Accounts().AuthenticateAsync(current.Token)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task EnrollingOrConfirmingAgain_WhileOn_IsRefused()
    {
        var (user, secret, _) = await EnableAsync();

        ResultAssert.Fails(await _h.Accounts().BeginTwoFactorEnrollmentAsync(user, Passwords.Good), "TWO_FACTOR_ALREADY_ENABLED");
        ResultAssert.Fails(await _h.Accounts().ConfirmTwoFactorAsync(user, Totp.CodeAt(secret, _h.Clock.GetUtcNow()), Contexts.Home), "TWO_FACTOR_ALREADY_ENABLED");
        Assert.Equal(secret, _h.Query(db => db.Set<UserAccount>().Single().TotpSecret));
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    public async Task ConfirmingWithoutEnrolling_OrDisablingWhileOff_IsRefused()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;

        var notEnrolled = ResultAssert.Fails(await _h.Accounts().ConfirmTwoFactorAsync(user, "123456", Contexts.Home), "TWO_FACTOR_NOT_ENROLLED");
        var notEnabled = ResultAssert.Fails(await _h.Accounts().DisableTwoFactorAsync(user, Passwords.Good, "123456", null, Contexts.Home), "TWO_FACTOR_NOT_ENABLED");

        Assert.Equal(ErrorKind.FailedPrecondition, notEnrolled.Kind);
        Assert.Equal(ErrorKind.FailedPrecondition, notEnabled.Kind);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    [Trait("Rule", "ACC-13")]
    public async Task TurningTwoFactorOnAndOff_TellsTheLogin_LogsIt_AndOffForgetsTheSecretAndCodes()
    {
        var (user, _, codes) = await EnableAsync();

        Assert.True((await _h.Accounts().DisableTwoFactorAsync(user, Passwords.Good, null, codes[0], Contexts.Travel)).IsSuccess);

        Assert.Equal(
            [NotificationKinds.TwoFactorEnabled, NotificationKinds.TwoFactorDisabled],
            _h.Outbox().Where(m => m.Recipient == "ann@example.com").Select(m => m.Kind));
        Assert.Equal(1, Logged(ActivityKind.TwoFactorEnabled));
        Assert.Equal(1, Logged(ActivityKind.TwoFactorDisabled));
        Assert.Equal(1, Logged(ActivityKind.RecoveryCodeUsed));
        var stored = _h.Query(db => db.Set<UserAccount>().Single());
        Assert.False(stored.TwoFactorEnabled);
        Assert.Null(stored.TotpSecret);
        Assert.Null(stored.LastTotpStep);
        Assert.Empty(stored.RecoveryCodeDigests);
    }

    [Fact]
    [Trait("Rule", "ACC-7")]
    [Trait("Rule", "ACC-4")]
    public async Task WrongSecondFactor_OnSignInOrDisable_CountsAsAFailedSignIn()
    {
        var (user, _, _) = await EnableAsync();

        await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, "000000", null, Contexts.Travel);
        await _h.Accounts().DisableTwoFactorAsync(user, Passwords.Good, null, "AAAAA-AAAAA", Contexts.Travel);

        Assert.Equal(2, Logged(ActivityKind.SignInFailed));
        Assert.Equal(2, _h.Query(db => db.Set<LoginThrottle>().Single().Failures));
        Assert.True(_h.Query(db => db.Set<UserAccount>().Single().TwoFactorEnabled));
    }
}
