using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Core.Billing;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.Wallets.V1;
using CoreTransaction = Hosting.Core.Wallets.LedgerTransaction;
using CoreWallet = Hosting.Core.Wallets.Wallet;
using CoreWithdrawal = Hosting.Core.Wallets.Withdrawal;
using ProtoMoney = Hosting.Wallets.V1.Money;

namespace Hosting.GrpcHost.Services;

/// <summary>The Wallet gRPC service: maps requests to <see cref="Core.Wallets.WalletService"/> and back.</summary>
internal sealed class WalletGrpcService(Core.Wallets.WalletService wallets, UnpaidInvoiceService unpaid, WalletAuditor auditor) : Hosting.Wallets.V1.WalletService.WalletServiceBase
{
    /// <summary>The scope of payout operators' API keys.</summary>
    public const string PayoutsScope = "payouts";

    /// <summary>The scope of auditors' API keys.</summary>
    public const string AuditScope = "audit";

    [UserCaller]
    public override async Task<ListWalletsResponse> ListWallets(ListWalletsRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await wallets.ListWalletsAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListWalletsResponse { NextPageToken = page.NextPageToken };
        response.Wallets.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<TopUpWalletResponse> TopUpWallet(TopUpWalletRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var amount = ToCore(request.Amount);
        var moved = (await wallets.TopUpAsync(context.User(), id, amount, request.PaymentMethod, request.RequestId, context.CancellationToken)).OrThrow();
        return new TopUpWalletResponse { Wallet = ToProto(moved.Wallet), Transaction = ToProto(moved.Wallet, moved.Transaction) };
    }

    [UserCaller]
    public override async Task<PayFromWalletResponse> PayFromWallet(PayFromWalletRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var amount = ToCore(request.Amount);
        var moved = (await unpaid.PayFromWalletAsync(context.User(), id, amount, request.Reference, request.RequestId, context.CancellationToken)).OrThrow();
        return new PayFromWalletResponse { Wallet = ToProto(moved.Wallet), Transaction = ToProto(moved.Wallet, moved.Transaction) };
    }

    [UserCaller]
    public override async Task<CreateWithdrawalResponse> CreateWithdrawal(CreateWithdrawalRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var amount = ToCore(request.Amount);
        var destination = (request.Iban.Length, request.PaypalEmail.Length) switch
        {
            ( > 0, 0) => PayoutDestination.Iban(request.Iban, "iban"),
            (0, > 0) => PayoutDestination.PayPal(request.PaypalEmail, "paypal_email"),
            _ => Result<PayoutDestination>.Fail(DomainError.Invalid("iban", "PAYOUT_DESTINATION_REQUIRED", "Give exactly one of iban and paypal_email.")),
        };
        var made = (await wallets.RequestWithdrawalAsync(context.User(), id, amount, destination.OrThrow(), request.RequestId, context.CancellationToken)).OrThrow();
        return new CreateWithdrawalResponse { Wallet = ToProto(made.Wallet), Withdrawal = ToProto(made.Wallet, made.Withdrawal) };
    }

    [UserCaller]
    public override async Task<ListWithdrawalsResponse> ListWithdrawals(ListWithdrawalsRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var user = context.User();
        var page = (await wallets.ListWithdrawalsAsync(user, id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var all = (await wallets.ListWalletsAsync(user, id, context.CancellationToken)).OrThrow().ToDictionary(w => w.Id);
        var response = new ListWithdrawalsResponse { NextPageToken = page.NextPageToken };
        response.Withdrawals.AddRange(page.Items.Select(w => ToProto(all[w.WalletId], w)));
        return response;
    }

    [UserCaller]
    public override async Task<ListLedgerTransactionsResponse> ListLedgerTransactions(ListLedgerTransactionsRequest request, ServerCallContext context)
    {
        var parts = (request.Parent ?? string.Empty).Split('/');
        if (parts.Length != 4 || parts[2] != "wallets")
        {
            throw DomainError.Invalid("parent", "INVALID_RESOURCE_NAME", "parent must have the form organizations/{organization_id}/wallets/{currency}.").ToRpcException();
        }

        var id = ResourceNames.ParseOrganization($"{parts[0]}/{parts[1]}", "parent").OrThrow();
        var currency = Core.Shared.Money.Of(0, parts[3], "parent").OrThrow().Currency;
        var user = context.User();
        var page = (await wallets.ListTransactionsAsync(user, id, currency, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var wallet = (await wallets.ListWalletsAsync(user, id, context.CancellationToken)).OrThrow().Single(w => w.Currency == currency);
        var response = new ListLedgerTransactionsResponse { NextPageToken = page.NextPageToken };
        response.Transactions.AddRange(page.Items.Select(t => ToProto(wallet, t)));
        return response;
    }

    [ServiceCaller(PayoutsScope)]
    public override async Task<ExecuteWithdrawalResponse> ExecuteWithdrawal(ExecuteWithdrawalRequest request, ServerCallContext context)
    {
        var (_, withdrawalId) = ResourceNames.ParseChild(request.Name, "withdrawals", "name").OrThrow();
        var done = (await wallets.ExecuteWithdrawalAsync(withdrawalId, context.CancellationToken)).OrThrow();
        return new ExecuteWithdrawalResponse { Wallet = ToProto(done.Wallet), Withdrawal = ToProto(done.Wallet, done.Withdrawal) };
    }

    [ServiceCaller(PayoutsScope)]
    public override async Task<CancelWithdrawalResponse> CancelWithdrawal(CancelWithdrawalRequest request, ServerCallContext context)
    {
        var (_, withdrawalId) = ResourceNames.ParseChild(request.Name, "withdrawals", "name").OrThrow();
        var done = (await wallets.CancelWithdrawalAsync(withdrawalId, context.CancellationToken)).OrThrow();
        return new CancelWithdrawalResponse { Wallet = ToProto(done.Wallet), Withdrawal = ToProto(done.Wallet, done.Withdrawal) };
    }

    [ServiceCaller(AuditScope)]
    public override async Task<AuditLedgerResponse> AuditLedger(AuditLedgerRequest request, ServerCallContext context)
    {
        var response = new AuditLedgerResponse();
        response.Violations.AddRange(await auditor.AuditAsync(context.CancellationToken));
        return response;
    }

    private static Core.Shared.Money ToCore(ProtoMoney? money) =>
        Core.Shared.Money.Of(money?.Minor ?? 0, money?.Currency, "amount.currency").OrThrow();

    private static string WalletName(CoreWallet wallet) => $"organizations/{wallet.OrganizationId}/wallets/{wallet.Currency}";

    private static ProtoMoney Amount(long minor, string currency) => new() { Minor = minor, Currency = currency };

    private static Hosting.Wallets.V1.Wallet ToProto(CoreWallet wallet) => new()
    {
        Name = WalletName(wallet),
        Balance = Amount(wallet.Balance, wallet.Currency),
        Held = Amount(wallet.Held, wallet.Currency),
        Available = Amount(wallet.Available, wallet.Currency),
    };

    private static Hosting.Wallets.V1.LedgerTransaction ToProto(CoreWallet wallet, CoreTransaction transaction)
    {
        var proto = new Hosting.Wallets.V1.LedgerTransaction
        {
            Name = $"{WalletName(wallet)}/transactions/{transaction.Id}",
            Kind = (Hosting.Wallets.V1.LedgerTransactionKind)(int)transaction.Kind,
            WalletAmount = Amount(transaction.WalletAmount, transaction.Currency),
            Reference = transaction.Reference,
            Time = Timestamp.FromDateTimeOffset(transaction.At),
        };
        proto.Entries.AddRange(transaction.Entries.Select(e => new Hosting.Wallets.V1.LedgerEntry { Account = e.Account, AmountMinor = e.Amount }));
        return proto;
    }

    private static Hosting.Wallets.V1.Withdrawal ToProto(CoreWallet wallet, CoreWithdrawal withdrawal) => new()
    {
        Name = $"organizations/{wallet.OrganizationId}/withdrawals/{withdrawal.Id}",
        Amount = Amount(withdrawal.Amount, wallet.Currency),
        Iban = withdrawal.DestinationKind == PayoutKind.BankAccount ? withdrawal.Destination : string.Empty,
        PaypalEmail = withdrawal.DestinationKind == PayoutKind.PayPal ? withdrawal.Destination : string.Empty,
        State = (WithdrawalState)(int)withdrawal.Status,
        CreateTime = Timestamp.FromDateTimeOffset(withdrawal.RequestedAt),
    };
}
