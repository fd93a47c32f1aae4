using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Grpc;

public abstract class WalletGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private WalletService.WalletServiceClient _wallet => new(host.Channel());
    private BillingService.BillingServiceClient _billing => new(host.Channel());
    private OrganizationsService.OrganizationsServiceClient _organizations => new(host.Channel());
    private AccountsService.AccountsServiceClient _accounts => host.Accounts();
    private static readonly Metadata Operator = new() { { "x-api-key", HostFactory.OperatorKey } };

    private static Hosting.Wallets.V1.Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };

    private Task<Invoice> UnpaidInvoiceAsync(string organization, Metadata owner, string requestId) => Shop.UnpaidInvoiceAsync(host.Channel(), organization, owner, requestId);

    private async Task<(Metadata Auth, string Login)> UserAsync()
    {
        var login = $"wallet-{Guid.NewGuid():N}@example.com";
        return (await host.SignedUpAsync(login), login);
    }

    private async Task<(Metadata Owner, string Organization)> OrganizationWithAsync(long balance)
    {
        var (owner, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization.Name;
        if (balance > 0)
        {
            await _wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(balance), PaymentMethod = "sim-success", RequestId = "initial" }, owner);
        }

        return (owner, organization);
    }

    [SkippableFact]
    [Trait("Rule", "WAL-2")]
    public async Task ConcurrentPayments_OnOneWallet_SucceedExactlyAsFarAsTheMoneyGoes()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(0);
        var invoices = new List<Invoice>();
        for (var i = 0; i < 24; i++)
        {
            invoices.Add(await UnpaidInvoiceAsync(organization, owner, $"order-{i}"));
        }

        var total = Assert.Single(invoices.Select(i => i.TotalMinor).Distinct());
        await _wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(total * 10), PaymentMethod = "sim-success", RequestId = "fund" }, owner);

        var outcomes = await Task.WhenAll(invoices.Select(async (invoice, i) =>
        {
            try
            {
                await _wallet.PayFromWalletAsync(Shop.PayFromWallet(invoice, $"pay-{i}"), owner);
                return "OK";
            }
            catch (RpcException e)
            {
                return e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? e.StatusCode.ToString();
            }
        }));

        Assert.Equal(10, outcomes.Count(o => o == "OK"));
        Assert.Equal(14, outcomes.Count(o => o == "INSUFFICIENT_FUNDS"));
        var wallet = Assert.Single((await _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets);
        Assert.Equal(0, wallet.Balance.Minor);
        // Each debit paid its invoice: exactly the refused ones are still to pay.
        Assert.Equal(14, (await _billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, owner)).UnpaidInvoices.Count);
        Assert.Empty((await _wallet.AuditLedgerAsync(new AuditLedgerRequest(), Operator)).Violations);
    }

    [SkippableFact]
    [Trait("Rule", "WAL-5")]
    public async Task Retry_WithTheSameRequestId_ReturnsTheSameTransaction()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(20_000);
        var invoice = await UnpaidInvoiceAsync(organization, owner, "order-9");
        var other = await UnpaidInvoiceAsync(organization, owner, "order-10");
        var request = Shop.PayFromWallet(invoice, "retry-9");

        var first = await _wallet.PayFromWalletAsync(request, owner);
        var second = await _wallet.PayFromWalletAsync(request, owner);

        Assert.Equal(first.Transaction.Name, second.Transaction.Name);
        Assert.Equal(20_000 - invoice.TotalMinor, second.Wallet.Balance.Minor);
        var reused = await RpcAssert.FailsAsync(
            () => _wallet.PayFromWalletAsync(Shop.PayFromWallet(other, "retry-9"), owner).ResponseAsync,
            StatusCode.AlreadyExists, "REQUEST_ID_REUSED");
        Assert.Equal("request_id", reused.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "WAL-7")]
    public async Task PayFromWallet_AMadeUpReferenceOrAnotherOrganizationsInvoice_IsRefused_AndMovesNothing()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(20_000);
        var own = await Shop.OrderByBankTransferAsync(host.Channel(), organization, owner, "order-own");
        var (stranger, strangers) = await OrganizationWithAsync(0);
        var foreign = await UnpaidInvoiceAsync(strangers, stranger, "order-foreign");
        var total = own.Invoice.TotalMinor;
        var foreignId = foreign.Name.Split('/')[3];
        string[] references = ["invoices/1", "anything", foreign.Name, $"{organization}/invoices/{foreignId}", $"{organization}/invoices/{Guid.NewGuid()}", own.Products[0]];

        for (var i = 0; i < references.Length; i++)
        {
            var request = new PayFromWalletRequest { Parent = organization, Amount = Chf(total), Reference = references[i], RequestId = $"made-up-{i}" };
            var refused = await RpcAssert.FailsAsync(() => _wallet.PayFromWalletAsync(request, owner).ResponseAsync, StatusCode.InvalidArgument, "INVALID_REFERENCE");
            Assert.Equal("reference", refused.ViolatedField());
        }

        var mismatch = await RpcAssert.FailsAsync(
            () => _wallet.PayFromWalletAsync(new PayFromWalletRequest { Parent = organization, Amount = Chf(total - 1), Reference = own.Invoice.Name, RequestId = "short" }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "AMOUNT_MISMATCH");
        Assert.Equal("amount", mismatch.ViolatedField());

        var wallet = Assert.Single((await _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets);
        Assert.Equal(20_000, wallet.Balance.Minor);
        Assert.Single(await Ledger.TransactionNamesAsync(_wallet, organization, owner));
        Assert.Equal(own.Invoice.Name, Assert.Single((await _billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, owner)).UnpaidInvoices).Name);
        Assert.Equal(foreign.Name, Assert.Single((await _billing.ListToPayAsync(new ListToPayRequest { Parent = strangers }, stranger)).UnpaidInvoices).Name);
        Assert.Empty((await _wallet.AuditLedgerAsync(new AuditLedgerRequest(), Operator)).Violations);
    }

    [SkippableFact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "WAL-2")]
    public async Task PayFromWallet_ARealUnpaidInvoice_IsPaid_AndItsProductsActivated_Once()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(20_000);
        var placed = await Shop.OrderByBankTransferAsync(host.Channel(), organization, owner, "order-1");
        var organizations = _organizations;
        Hosting.Organizations.V1.Product Product() =>
            organizations.ListProducts(new ListProductsRequest { Parent = organization }, owner).Products.Single(p => p.Name == placed.Products.Single());
        Assert.Equal(ProductStatus.AwaitingPayment, Product().Status);

        var paid = await _wallet.PayFromWalletAsync(Shop.PayFromWallet(placed.Invoice, "pay-1"), owner);

        Assert.Equal(LedgerTransactionKind.Payment, paid.Transaction.Kind);
        Assert.Equal(-placed.Invoice.TotalMinor, paid.Transaction.WalletAmount.Minor);
        Assert.Equal(20_000 - placed.Invoice.TotalMinor, paid.Wallet.Balance.Minor);
        var invoice = (await _billing.GetInvoiceAsync(new GetInvoiceRequest { Name = placed.Invoice.Name }, owner)).Invoice;
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, invoice.State);
        Assert.Equal("wallet", invoice.PaymentMethod);
        Assert.Equal(ProductStatus.Active, Product().Status);

        // Once: the same request replays the payment; any other is refused; nothing moves again.
        Assert.Equal(paid.Transaction.Name, (await _wallet.PayFromWalletAsync(Shop.PayFromWallet(placed.Invoice, "pay-1"), owner)).Transaction.Name);
        await RpcAssert.FailsAsync(() => _wallet.PayFromWalletAsync(Shop.PayFromWallet(placed.Invoice, "pay-2"), owner).ResponseAsync, StatusCode.FailedPrecondition, "INVOICE_ALREADY_PAID");
        await RpcAssert.FailsAsync(
            () => _billing.PayInvoiceAsync(new PayInvoiceRequest { Name = placed.Invoice.Name, PaymentMethod = "wallet", RequestId = "pay-3" }, owner).ResponseAsync,
            StatusCode.FailedPrecondition, "INVOICE_ALREADY_PAID");
        Assert.Equal(20_000 - placed.Invoice.TotalMinor, Assert.Single((await _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets).Balance.Minor);
        Assert.Equal(2, (await Ledger.TransactionNamesAsync(_wallet, organization, owner)).Count);
        Assert.Empty((await _wallet.AuditLedgerAsync(new AuditLedgerRequest(), Operator)).Violations);
    }

    [SkippableFact]
    [Trait("Rule", "WAL-1")]
    public async Task TopUp_AboveTheMaximum_NamesTheLimit()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(0);

        var status = await RpcAssert.FailsAsync(
            () => _wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(10_000_000), PaymentMethod = "sim-success", RequestId = "big" }, owner).ResponseAsync,
            StatusCode.FailedPrecondition, "TOP_UP_ABOVE_MAXIMUM");

        Assert.Equal("maximum", status.GetDetail<ErrorInfo>()!.Metadata["limit"]);
    }

    [SkippableFact]
    [Trait("Rule", "WAL-3")]
    public async Task Withdrawal_IsExecutedByTheOperatorOnce_AndCustomersCannotExecuteIt()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(8_000);
        var created = await _wallet.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(8_000), Iban = "CH9300762011623852957", RequestId = "w1" }, owner);
        Assert.Equal(0, created.Wallet.Available.Minor);

        await RpcAssert.FailsAsync(() => _wallet.ExecuteWithdrawalAsync(new ExecuteWithdrawalRequest { Name = created.Withdrawal.Name }, owner).ResponseAsync, StatusCode.Unauthenticated, "API_KEY_REQUIRED");
        var executed = await _wallet.ExecuteWithdrawalAsync(new ExecuteWithdrawalRequest { Name = created.Withdrawal.Name }, Operator);
        await RpcAssert.FailsAsync(() => _wallet.ExecuteWithdrawalAsync(new ExecuteWithdrawalRequest { Name = created.Withdrawal.Name }, Operator).ResponseAsync, StatusCode.FailedPrecondition, "WITHDRAWAL_NOT_PENDING");

        Assert.Equal(WithdrawalState.Executed, executed.Withdrawal.State);
        Assert.Equal(0, executed.Wallet.Balance.Minor);
        await RpcAssert.FailsAsync(
            () => _wallet.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(1), Iban = "CH9400762011623852957", RequestId = "w2" }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_IBAN");
    }

    [SkippableFact]
    [Trait("Rule", "BIL-2")]
    public async Task EveryCustomerWalletRpc_NeedsBillingRights_AndHidesOtherOrganizations()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(5_000);
        var invoice = await UnpaidInvoiceAsync(organization, owner, "order-1");
        var (limited, limitedLogin) = await UserAsync();
        var (outsider, _) = await UserAsync();
        var invitation = await _organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = limitedLogin }, owner);
        await _organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, limited);
        var calls = new Dictionary<string, Func<Metadata, Task>>
        {
            ["ListWallets"] = m => _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, m).ResponseAsync,
            ["TopUpWallet"] = m => _wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(2_000), PaymentMethod = "sim-success", RequestId = "m1" }, m).ResponseAsync,
            ["PayFromWallet"] = m => _wallet.PayFromWalletAsync(Shop.PayFromWallet(invoice, "m2"), m).ResponseAsync,
            ["CreateWithdrawal"] = m => _wallet.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(100), PaypalEmail = "p@example.com", RequestId = "m3" }, m).ResponseAsync,
            ["ListWithdrawals"] = m => _wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = organization }, m).ResponseAsync,
            ["ListLedgerTransactions"] = m => _wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{organization}/wallets/CHF" }, m).ResponseAsync,
        };
        var operatorRpcs = new[] { "ExecuteWithdrawal", "CancelWithdrawal", "AuditLedger" };
        Assert.Empty(WalletService.Descriptor.Methods.Select(m => m.Name).Except(calls.Keys).Except(operatorRpcs));

        foreach (var call in calls.Values)
        {
            await RpcAssert.FailsAsync(() => call(limited), StatusCode.PermissionDenied, "BILLING_RIGHTS_REQUIRED");
            await RpcAssert.FailsAsync(() => call(outsider), StatusCode.NotFound, "ORGANIZATION_NOT_FOUND");
            await RpcAssert.FailsAsync(() => call([]), StatusCode.Unauthenticated, "SESSION_REQUIRED");
            await call(owner);
        }

        await RpcAssert.FailsAsync(() => _wallet.AuditLedgerAsync(new AuditLedgerRequest(), owner).ResponseAsync, StatusCode.Unauthenticated, "API_KEY_REQUIRED");
        await RpcAssert.FailsAsync(
            () => _wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", HostFactory.SupportKey } }).ResponseAsync,
            StatusCode.PermissionDenied, "API_KEY_SCOPE_MISSING");
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListWallets_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(0);
        var opened = new List<string>();
        foreach (var currency in new[] { "CHF", "EUR", "USD" })
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var topUp = await _wallet.TopUpWalletAsync(
                new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 2_000, Currency = currency }, PaymentMethod = "sim-success", RequestId = $"open-{currency}" }, owner);
            opened.Add(topUp.Wallet.Name);
        }

        await Paging.AssertWalksAsync(opened, async (size, token) =>
        {
            var page = await _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.Wallets.Select(w => w.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListWithdrawals_PagesTheWithdrawalsOfEveryWallet_OldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationWithAsync(0);
        foreach (var currency in new[] { "CHF", "EUR" })
        {
            await _wallet.TopUpWalletAsync(
                new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 10_000, Currency = currency }, PaymentMethod = "sim-success", RequestId = $"fund-{currency}" }, owner);
        }

        // The two wallets take turns, so a page that read one wallet's withdrawals would miss some.
        var requested = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var currency = i % 2 == 0 ? "CHF" : "EUR";
            requested.Add((await _wallet.CreateWithdrawalAsync(
                new CreateWithdrawalRequest { Parent = organization, Amount = new Money { Minor = 100, Currency = currency }, Iban = "CH9300762011623852957", RequestId = $"w{i}" }, owner)).Withdrawal.Name);
        }

        await Paging.AssertWalksAsync(requested, async (size, token) =>
        {
            var page = await _wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.Withdrawals.Select(w => w.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class WalletGrpcTests(HostFactory host) : WalletGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class WalletGrpcTestsPostgres(PostgresHostFactory host) : WalletGrpcTestsBase<PostgresHostFactory>(host);
