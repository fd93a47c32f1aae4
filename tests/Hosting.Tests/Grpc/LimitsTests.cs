using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using ChargeResult = Hosting.Core.Wallets.ChargeResult;
using IPaymentGateway = Hosting.Core.Wallets.IPaymentGateway;
using SimulatedPaymentGateway = Hosting.Core.Wallets.SimulatedPaymentGateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    public async Task AnOverLongString_IsRefusedOnItsField()
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

        Assert.Equal("contact_details.city", status.ViolatedField());
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

    [Theory]
    [Trait("Rule", "API-3")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStringThatIsNotUtf8_IsInvalidArgument_NotAnUnknownFailure_CompressedOrNot(bool compressed)
    {
        using var body = new MemoryStream();
        var output = new CodedOutputStream(body);
        output.WriteTag(SignUpRequest.LoginFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
        output.Flush();
        var signUp = Rpcs.Unary(AccountsService.Descriptor.FindMethodByName("SignUp"));
        // The client compresses the frame with gzip (the compressed flag set) when asked to by this header.
        var headers = compressed ? new Metadata { { "grpc-internal-encoding-request", "gzip" } } : null;

        await RpcAssert.FailsAsync(
            () => host.Channel().CreateCallInvoker().AsyncUnaryCall(signUp, null, new CallOptions(headers), body.ToArray()).ResponseAsync,
            StatusCode.InvalidArgument, "MALFORMED_REQUEST");
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task ACompressedRequestThatInflatesBeyondTheLimit_IsRefusedWithResourceExhausted()
    {
        var (auth, organization) = await OwnerAsync("gzip-bomb@example.com");
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" }, { "authorization", auth.GetValue("authorization")! } };

        // 100 kB of zeros compress to a few hundred bytes, under the 64 kB limit until inflated.
        var e = await Assert.ThrowsAsync<RpcException>(() => Organizations.SetLogoAsync(
            new SetLogoRequest { Parent = organization, Content = ByteString.CopyFrom(new byte[100_000]) }, gzip).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task AValidCompressedRequest_IsServed()
    {
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        var reply = await Accounts.SignUpAsync(new SignUpRequest { Login = "gzip@example.com", Password = Passwords.Good }, gzip);

        Assert.Equal("gzip@example.com", reply.Account.Login);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public void AListLongerThanTheLimit_IsRefusedOnItsField()
    {
        var request = new Hosting.Billing.V1.CheckoutRequest();
        request.Products.AddRange(Enumerable.Range(0, 1001).Select(i => $"p{i}"));

        var error = Hosting.GrpcHost.Limits.RequestLimitsInterceptor.FirstViolation(request, "", new Hosting.GrpcHost.Limits.RequestLimitOptions());

        Assert.Equal("TOO_MANY_ITEMS", error?.Reason);
        Assert.Equal("products", Assert.Single(error!.Fields).Field);
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
        Assert.Equal("valid_from", Assert.Single(error!.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "WAL-5")]
    public async Task ACallPastItsDeadline_EndsWithDeadlineExceeded_AndItsRetryMovesTheMoneyOnce()
    {
        using var slow = new HostFactory
        {
            Override = services => services.Replace(ServiceDescriptor.Singleton<IPaymentGateway>(
                sp => new SlowGateway(ActivatorUtilities.CreateInstance<SimulatedPaymentGateway>(sp), TimeSpan.FromSeconds(2)))),
        };
        var (auth, organization) = await OwnerAsync(slow, "deadline@example.com");
        var wallet = new WalletService.WalletServiceClient(slow.Channel());
        var request = new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 1000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "late" };

        var e = await Assert.ThrowsAsync<RpcException>(() => wallet.TopUpWalletAsync(request, auth, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        // In process, the test server's handler sometimes surfaces the aborted exchange as a bare
        // INTERNAL of the client's own making (no ErrorInfo: nothing the host sent); anything from
        // the host must be DEADLINE_EXCEEDED.
        Assert.True(
            e.StatusCode == StatusCode.DeadlineExceeded || (e.StatusCode == StatusCode.Internal && e.GetRpcStatus() is null),
            e.Status.ToString());
        await wallet.TopUpWalletAsync(request, auth);
        await wallet.TopUpWalletAsync(request, auth);
        var balance = (await wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, auth)).Wallets.Single().Balance.Minor;
        Assert.Equal(1000, balance);
        var audit = await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", HostFactory.OperatorKey } });
        Assert.Empty(audit.Violations);
    }

    /// <summary>A gateway that answers late, and gives up when the call is cancelled, as an HTTP client would.</summary>
    private sealed class SlowGateway(IPaymentGateway inner, TimeSpan delay) : IPaymentGateway
    {
        public bool Knows(string paymentMethod) => inner.Knows(paymentMethod);

        public async Task<ChargeResult> ChargeAsync(string paymentMethod, Hosting.Core.Shared.Money amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.ChargeAsync(paymentMethod, amount, idempotencyKey, cancellationToken);
        }

        public Task RefundAsync(string paymentMethod, string chargeReference, Hosting.Core.Shared.Money amount, string idempotencyKey, CancellationToken cancellationToken) =>
            inner.RefundAsync(paymentMethod, chargeReference, amount, idempotencyKey, cancellationToken);
    }

    internal static CreateInvitationRequest Invite(string organization, string email) =>
        new() { Parent = organization, Email = email, Rights = new MemberRights { Administrator = true } };

    private Task<(Metadata Auth, string Organization)> OwnerAsync(string login) => OwnerAsync(host, login);

    internal static async Task<(Metadata Auth, string Organization)> OwnerAsync(HostFactory host, string login)
    {
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var auth = await host.SignedUpAsync(login);
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;
        return (auth, organization);
    }

    internal static ContactDetails Contact() => new()
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
            // A window far longer than the test, so that it cannot roll over between the calls.
            ["RateLimiting:Policies:SignIn:Window"] = "01:00:00",
            ["RateLimiting:Policies:PasswordReset:Window"] = "01:00:00",
            ["RateLimiting:Policies:Invitation:Window"] = "01:00:00",
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
    [Trait("Rule", "ORG-1")]
    [Trait("Rule", "ACC-12")]
    public async Task FirstOrdersShareSignUpsAddressBudget_AndBeyondItAreRefused()
    {
        using var host = RateLimitedHost();
        var accounts = host.Accounts();
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        OrderFirstProductRequest Order(int i) => new()
        {
            ContactDetails = LimitsTests.Contact(), Login = $"order{i}@example.com", Password = Passwords.Good, ProductType = ProductType.DomainName, ProductDisplayName = $"order{i}.ch",
        };
        await accounts.SignUpAsync(new SignUpRequest { Login = "signup@example.com", Password = Passwords.Good });
        for (var i = 0; i < 3; i++)
        {
            await organizations.OrderFirstProductAsync(Order(i));
        }

        var refused = await RpcAssert.FailsAsync(() => organizations.OrderFirstProductAsync(Order(9)).ResponseAsync, StatusCode.ResourceExhausted, "RATE_LIMITED");

        Assert.Equal("address", refused.GetDetail<ErrorInfo>()!.Metadata["limit"]);
        await RpcAssert.FailsAsync(
            () => accounts.SignUpAsync(new SignUpRequest { Login = "late@example.com", Password = Passwords.Good }).ResponseAsync, StatusCode.ResourceExhausted, "RATE_LIMITED");
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
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var (ann, annOrg) = await LimitsTests.OwnerAsync(host, "inviter-ann@example.com");
        var (bob, bobOrg) = await LimitsTests.OwnerAsync(host, "inviter-bob@example.com");
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

public sealed class ClientAddressTests
{
    private static readonly Hosting.GrpcHost.Callers.ClientAddress Resolver = new(Microsoft.Extensions.Options.Options.Create(
        new Hosting.GrpcHost.Callers.NetworkOptions { TrustedProxies = ["10.0.0.0/24"] }));

    [Theory]
    [InlineData("10.0.0.5", "203.0.113.9", "203.0.113.9")] // the console names its user
    [InlineData("::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9")] // the same console over a dual-stack socket
    [InlineData("198.51.100.1", "203.0.113.9", "198.51.100.1")] // anyone else's header is ignored
    [InlineData("10.0.0.5", "not an address", "10.0.0.5")]
    [Trait("Rule", "ACC-5")]
    public void ForwardedAddress_CountsOnlyFromATrustedFrontEnd(string peer, string forwarded, string expected)
    {
        Assert.Equal(System.Net.IPAddress.Parse(expected), Resolver.Of(System.Net.IPAddress.Parse(peer), forwarded));
    }
}
