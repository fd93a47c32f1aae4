using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Grpc;

/// <summary>A host with small size limits, so that reaching them takes small requests.</summary>
public sealed class LimitedHostFactory : HostFactory
{
    public LimitedHostFactory()
    {
        Settings = new()
        {
            ["Limits:MaxRequestBytes"] = "65536",
            ["Limits:MaxStringLength"] = "300",
        };
    }
}

public sealed class LimitsTests(LimitedHostFactory host) : IClassFixture<LimitedHostFactory>
{
    private AccountsService.AccountsServiceClient Accounts => host.Accounts();

    private OrganizationsService.OrganizationsServiceClient Organizations => new(host.Channel());

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task AnOverLongString_IsRefusedOnItsField_AndNothingIsCreated()
    {
        var longLogin = new string('a', 400) + "@example.com";

        var status = await RpcAssert.FailsAsync(
            () => Accounts.SignUpAsync(new SignUpRequest { Login = longLogin, Password = Passwords.Good }).ResponseAsync, StatusCode.InvalidArgument, "FIELD_TOO_LONG");

        Assert.Equal("login", status.ViolatedField());
        await RpcAssert.FailsAsync(
            () => Accounts.SignInAsync(new SignInRequest { Login = "x@example.com", Password = new string('p', 400) }).ResponseAsync, StatusCode.InvalidArgument, "FIELD_TOO_LONG");
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task AnOverLongNestedString_IsRefusedOnItsFieldPath()
    {
        var (auth, _) = await OwnerAsync("nested-limit@example.com");
        var contact = Contact();
        contact.City = new string('c', 301);

        var status = await RpcAssert.FailsAsync(
            () => Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = contact }, auth).ResponseAsync, StatusCode.InvalidArgument, "FIELD_TOO_LONG");

        Assert.Equal("contactDetails.city", status.ViolatedField());
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task ARequestLargerThanTheMessageLimit_IsRefusedWithResourceExhausted()
    {
        var (auth, organization) = await OwnerAsync("big-logo@example.com");

        var e = await Assert.ThrowsAsync<RpcException>(() => Organizations.SetLogoAsync(
            new SetLogoRequest { Parent = organization, Content = ByteString.CopyFrom(new byte[100_000]) }, auth).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task AStringThatIsNotUtf8_IsInvalidArgument_NotAnUnknownFailure()
    {
        using var body = new MemoryStream();
        var output = new CodedOutputStream(body);
        output.WriteTag(SignUpRequest.LoginFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
        output.Flush();
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var signUp = new Method<byte[], byte[]>(MethodType.Unary, AccountsService.Descriptor.FullName, "SignUp", raw, raw);

        await RpcAssert.FailsAsync(
            () => host.Channel().CreateCallInvoker().AsyncUnaryCall(signUp, null, new CallOptions(), body.ToArray()).ResponseAsync,
            StatusCode.InvalidArgument, "MALFORMED_REQUEST");
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public void ATimestampOutsideItsRange_IsRefusedOnItsField()
    {
        var request = new Hosting.Billing.V1.CreatePromotionCodeRequest
        {
            ValidFrom = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1, Nanos = -1 },
        };

        var error = Hosting.GrpcHost.Limits.RequestLimitsInterceptor.FirstViolation(request, "", new Hosting.GrpcHost.Limits.RequestLimitOptions());

        Assert.Equal("INVALID_TIMESTAMP", error?.Reason);
        Assert.Equal("validFrom", Assert.Single(error!.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task ACallPastItsDeadline_EndsWithDeadlineExceeded_AndLeavesTheLedgerSound()
    {
        var (auth, organization) = await OwnerAsync("deadline@example.com");
        var wallet = new WalletService.WalletServiceClient(host.Channel());

        var e = await Assert.ThrowsAsync<RpcException>(() => wallet.TopUpWalletAsync(
            new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 1000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "late" },
            auth, deadline: DateTime.UtcNow.AddTicks(1)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        var audit = await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", HostFactory.OperatorKey } });
        Assert.Empty(audit.Violations);
    }

    internal static CreateInvitationRequest Invite(string organization, string email) =>
        new() { Parent = organization, Email = email, Rights = new MemberRights { Administrator = true } };

    private Task<(Metadata Auth, string Organization)> OwnerAsync(string login) => OwnerAsync(Accounts, Organizations, login);

    internal static async Task<(Metadata Auth, string Organization)> OwnerAsync(
        AccountsService.AccountsServiceClient accounts, OrganizationsService.OrganizationsServiceClient organizations, string login)
    {
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;
        return (auth, organization);
    }

    private static ContactDetails Contact() => new()
    {
        Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
    };
}

/// <summary>Each test on a host of its own: budgets are per address, and every in-process call comes from the same one.</summary>
public sealed class RateLimitTests
{
    private static HostFactory RateLimitedHost() => new()
    {
        Settings = new()
        {
            ["RateLimiting:Enabled"] = "true",
            ["RateLimiting:Policies:SignIn:PerAddress"] = "4",
            ["RateLimiting:Policies:PasswordReset:PerAddress"] = "2",
            ["RateLimiting:Policies:Invitation:PerAddress"] = "100",
            ["RateLimiting:Policies:Invitation:PerCaller"] = "2",
        },
    };

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task SignInsBeyondTheAddressBudget_AreRefusedWithARetryDelay_AndOtherRpcsStillWork()
    {
        using var host = RateLimitedHost();
        var accounts = host.Accounts();
        var login = "limited@example.com";
        var account = await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var session = await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        for (var i = 0; i < 2; i++)
        {
            await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        }

        var refused = await RpcAssert.FailsAsync(
            () => accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync, StatusCode.ResourceExhausted, "RATE_LIMITED");

        var retry = refused.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.True(retry.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        Assert.Equal("address", refused.GetDetail<ErrorInfo>()!.Metadata["limit"]);
        var me = await accounts.GetAccountAsync(new GetAccountRequest(), Bearer.Of(session.SessionToken));
        Assert.Equal(account.Account.Name, me.Account.Name);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task PasswordResetRequestsBeyondTheBudget_AreRefused_WithoutSayingWhetherTheLoginExists()
    {
        using var host = RateLimitedHost();
        var accounts = host.Accounts();
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = "someone@example.com" });
        await accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = "someone@example.com" });

        await RpcAssert.FailsAsync(
            () => accounts.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = "nobody-at-all@example.com" }).ResponseAsync, StatusCode.ResourceExhausted, "RATE_LIMITED");
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task InvitationsBeyondTheCallersBudget_AreRefused_WhileAnotherCallerMayStillInvite()
    {
        using var host = RateLimitedHost();
        var accounts = host.Accounts();
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var (ann, annOrg) = await LimitsTests.OwnerAsync(accounts, organizations, "inviter-ann@example.com");
        var (bob, bobOrg) = await LimitsTests.OwnerAsync(accounts, organizations, "inviter-bob@example.com");
        for (var i = 0; i < 2; i++)
        {
            await organizations.CreateInvitationAsync(LimitsTests.Invite(annOrg, $"guest{i}@example.com"), ann);
        }

        var refused = await RpcAssert.FailsAsync(
            () => organizations.CreateInvitationAsync(LimitsTests.Invite(annOrg, "guest9@example.com"), ann).ResponseAsync, StatusCode.ResourceExhausted, "RATE_LIMITED");

        Assert.Equal("caller", refused.GetDetail<ErrorInfo>()!.Metadata["limit"]);
        var bobs = await organizations.CreateInvitationAsync(LimitsTests.Invite(bobOrg, "guest9@example.com"), bob);
        Assert.Equal("guest9@example.com", bobs.Invitation.Email);
    }
}
