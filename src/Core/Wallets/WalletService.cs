using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>A wallet with the movement a request made in it.</summary>
public sealed record WalletMovement(Wallet Wallet, LedgerTransaction Transaction);

/// <summary>A wallet with the withdrawal a request made from it.</summary>
public sealed record WalletWithdrawal(Wallet Wallet, Withdrawal Withdrawal);

/// <summary>
/// The use cases of the prepaid wallet (WAL-1..WAL-5). Paying from the wallet is Billing's
/// (<c>UnpaidInvoiceService.PayFromWalletAsync</c>, WAL-7): the wallet never debits for a reference
/// alone, only inside the unit of work that pays an item. Money-moving calls carry a client request
/// id: a retry with the same id and request replays the first outcome and moves nothing; each
/// movement commits with its ledger transaction and its idempotency record, or not at all, and
/// is retried from a fresh read when a concurrent movement on the same wallet won.
/// </summary>
public sealed class WalletService(
    IWalletStore store,
    IOrganizationStore organizations,
    IPaymentGateway gateway,
    TimeProvider clock,
    ISecretGenerator random,
    WalletOptions options,
    CurrencyOptions currencies)
{
    /// <summary>External charges of this unit of work (WAL-7), shared with billing's payments.</summary>
    public ExternalCharges Charges { get; } = new(store, gateway, clock);

    /// <summary>The organization's wallets; billing rights needed (BIL-2).</summary>
    public async Task<Result<IReadOnlyList<Wallet>>> ListWalletsAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var allowed = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (allowed is not null)
        {
            return allowed;
        }

        var wallets = await store.ListWalletsAsync(organizationId, ct).ConfigureAwait(false);
        return Result<IReadOnlyList<Wallet>>.Ok(wallets);
    }

    /// <summary>One page of the organization's wallets, oldest first; billing rights needed (BIL-2, API-4).</summary>
    public async Task<Result<Page<Wallet>>> ListWalletsAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var all = await ListWalletsAsync(user, organizationId, ct).ConfigureAwait(false);
        return all.IsSuccess ? Pager.Apply(all.Value, w => new PageToken(w.CreatedAt, w.Id), pageSize, pageToken) : all.Error;
    }

    /// <summary>Credits the wallet through a payment method, within the limits (WAL-1).</summary>
    public Task<Result<WalletMovement>> TopUpAsync(AuthenticatedUser user, Guid organizationId, Money amount, string? paymentMethod, string? requestId, CancellationToken ct = default) =>
        MoveAsync<WalletMovement>(user, organizationId, amount, requestId, ["top-up", amount.Minor, amount.Currency, paymentMethod ?? string.Empty], async (key, fingerprint) =>
        {
            if (string.IsNullOrEmpty(paymentMethod) || !gateway.Knows(paymentMethod))
            {
                return WalletErrors.UnknownPaymentMethod;
            }

            var now = clock.GetUtcNow();
            var wallet = await store.FindWalletAsync(organizationId, amount.Currency, ct).ConfigureAwait(false);
            if (amount.Minor < options.MinimumTopUp)
            {
                return WalletErrors.TopUpLimit("TOP_UP_BELOW_MINIMUM", "minimum", options.MinimumTopUp, amount.Currency);
            }

            if (amount.Minor > options.MaximumTopUp)
            {
                return WalletErrors.TopUpLimit("TOP_UP_ABOVE_MAXIMUM", "maximum", options.MaximumTopUp, amount.Currency);
            }

            var recent = wallet is null ? 0 : await store.TopUpsSinceAsync(wallet.Id, now - options.Period, ct).ConfigureAwait(false);
            if (recent + amount.Minor > options.PeriodLimit)
            {
                return WalletErrors.TopUpLimit("TOP_UP_PERIOD_LIMIT", "period", options.PeriodLimit, amount.Currency);
            }

            // Charged once, on its own record, before this unit of work (WAL-7); a retry continues it.
            var charge = await Charges.ChargeAsync(key, fingerprint, organizationId, "top-up", paymentMethod, amount, ct).ConfigureAwait(false);
            if (!charge.IsSuccess)
            {
                return charge.Error;
            }

            var reference = await Charges.DeliverInUnitOfWorkAsync(key, ct).ConfigureAwait(false);
            if (!reference.IsSuccess)
            {
                return reference.Error;
            }

            wallet ??= OpenWallet(organizationId, amount.Currency, now);
            var transaction = wallet.TopUp(random.NewId(), amount.Minor, reference.Value, now);
            return new WalletMovement(wallet, transaction);
        }, ct);

    /// <summary>
    /// Debits the wallet inside the caller's unit of work, for a checkout that commits the debit
    /// together with its invoice (WAL-2, BIL-6); the caller retries on conflicts and keeps the
    /// request id.
    /// </summary>
    internal async Task<Result<LedgerTransaction>> DebitInUnitOfWorkAsync(Guid organizationId, Money amount, string reference, CancellationToken ct)
    {
        var wallet = await store.FindWalletAsync(organizationId, amount.Currency, ct).ConfigureAwait(false);
        if (wallet is null)
        {
            return WalletErrors.InsufficientFunds(0, amount.Currency);
        }

        var paid = wallet.Pay(random.NewId(), amount.Minor, reference, clock.GetUtcNow());
        if (paid.IsSuccess)
        {
            store.Add(paid.Value);
        }

        return paid;
    }

    /// <summary>A committed ledger transaction with its wallet as it is now; for a payment that returns the debit it made.</summary>
    internal async Task<WalletMovement> MovementAsync(Guid transactionId, CancellationToken ct)
    {
        var transaction = await store.FindTransactionAsync(transactionId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A payment points at no ledger transaction.");
        var wallet = await store.FindWalletByIdAsync(transaction.WalletId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A ledger transaction points at no wallet.");
        return new WalletMovement(wallet, transaction);
    }

    /// <summary>Credits a refund to the organization's wallet inside the caller's unit of work (BIL-5 credit notes).</summary>
    internal async Task<LedgerTransaction> RefundInUnitOfWorkAsync(Guid organizationId, Money amount, string reference, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var wallet = await store.FindWalletAsync(organizationId, amount.Currency, ct).ConfigureAwait(false) ?? OpenWallet(organizationId, amount.Currency, now);
        var refund = wallet.Refund(random.NewId(), amount.Minor, reference, now);
        store.Add(refund);
        return refund;
    }

    /// <summary>Asks for a payout of part or all of the available balance (WAL-3); the amount is held.</summary>
    public Task<Result<WalletWithdrawal>> RequestWithdrawalAsync(
        AuthenticatedUser user, Guid organizationId, Money amount, PayoutDestination destination, string? requestId, CancellationToken ct = default) =>
        MoveAsync<WalletWithdrawal>(user, organizationId, amount, requestId, ["withdraw", amount.Minor, amount.Currency, destination.Kind, destination.Value], async (_, _) =>
        {
            var wallet = await store.FindWalletAsync(organizationId, amount.Currency, ct).ConfigureAwait(false);
            if (wallet is null)
            {
                return WalletErrors.InsufficientFunds(0, amount.Currency);
            }

            var withdrawal = wallet.RequestWithdrawal(random.NewId(), amount.Minor, destination, clock.GetUtcNow());
            return withdrawal.IsSuccess ? new WalletWithdrawal(wallet, withdrawal.Value) : withdrawal.Error;
        }, ct);

    /// <summary>The organization's withdrawals; billing rights needed.</summary>
    public async Task<Result<Page<Withdrawal>>> ListWithdrawalsAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var allowed = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (allowed is not null)
        {
            return allowed;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.ListWithdrawalsAsync(organizationId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, w => new PageToken(w.RequestedAt, w.Id));
    }

    /// <summary>A wallet's ledger history, newest first (WAL-4); billing rights needed.</summary>
    public async Task<Result<Page<LedgerTransaction>>> ListTransactionsAsync(AuthenticatedUser user, Guid organizationId, string currency, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var allowed = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (allowed is not null)
        {
            return allowed;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var wallet = await store.FindWalletAsync(organizationId, currency, ct).ConfigureAwait(false);
        if (wallet is null)
        {
            return WalletErrors.WalletNotFound;
        }

        var rows = await store.ListTransactionsAsync(wallet.Id, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, t => new PageToken(t.At, t.Id));
    }

    /// <summary>Pays a pending withdrawal out; for the payout operator or job. Executes at most once.</summary>
    public Task<Result<WalletWithdrawal>> ExecuteWithdrawalAsync(Guid withdrawalId, CancellationToken ct = default) =>
        CloseWithdrawalAsync(withdrawalId, (wallet, withdrawal, now) =>
        {
            var executed = wallet.ExecuteWithdrawal(withdrawal, random.NewId(), now);
            if (executed.IsSuccess)
            {
                store.Add(executed.Value);
            }

            return executed.IsSuccess ? Done.Value : executed.Error;
        }, ct);

    /// <summary>Cancels a pending withdrawal and releases its hold; for the payout operator.</summary>
    public Task<Result<WalletWithdrawal>> CancelWithdrawalAsync(Guid withdrawalId, CancellationToken ct = default) =>
        CloseWithdrawalAsync(withdrawalId, (wallet, withdrawal, now) => wallet.CancelWithdrawal(withdrawal, now), ct);

    private async Task<Result<WalletWithdrawal>> CloseWithdrawalAsync(Guid withdrawalId, Func<Wallet, Withdrawal, DateTimeOffset, Result<Done>> close, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var withdrawal = await store.FindWithdrawalAsync(withdrawalId, ct).ConfigureAwait(false);
                var wallet = withdrawal is null ? null : await store.FindWalletByIdAsync(withdrawal.WalletId, ct).ConfigureAwait(false);
                if (withdrawal is null || wallet is null)
                {
                    return WalletErrors.WithdrawalNotFound;
                }

                var closed = close(wallet, withdrawal, clock.GetUtcNow());
                if (!closed.IsSuccess)
                {
                    return closed.Error;
                }

                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return new WalletWithdrawal(wallet, withdrawal);
            }
            catch (ConcurrencyConflictException) when (attempt < options.MaxAttempts)
            {
                store.Reset();
            }
        }
    }

    private async Task<Result<T>> MoveAsync<T>(
        AuthenticatedUser user, Guid organizationId, Money amount, string? requestId, object[] request,
        Func<string, string, Task<Result<T>>> move, CancellationToken ct)
        where T : class
    {
        var allowed = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (allowed is not null)
        {
            return allowed;
        }

        if (!RequestIds.IsValid(requestId))
        {
            return WalletErrors.RequestIdInvalid;
        }

        if (amount.Minor <= 0)
        {
            return WalletErrors.AmountNotPositive;
        }

        if (currencies.Refusal(amount, "amount.currency") is { } notTraded)
        {
            return notTraded;
        }

        var key = IdempotencyRecord.KeyOf(organizationId, requestId);
        var fingerprint = IdempotencyRecord.FingerprintOf(request);
        return await new IdempotentCommand(store, Charges, clock, options.MaxAttempts).RunAsync(
            key,
            fingerprint,
            async _ =>
            {
                var outcome = await move(key, fingerprint).ConfigureAwait(false);
                if (outcome.IsSuccess)
                {
                    store.Add(Made(outcome.Value).Entity);
                }

                return outcome;
            },
            value => Made(value).Id,
            id => ReplayAsync<T>(id, ct),
            null,
            ct).ConfigureAwait(false);
    }

    // What a movement made: added to its unit of work, and remembered by its id under the request id.
    private static (object Entity, Guid Id) Made<T>(T outcome) => outcome switch
    {
        WalletMovement movement => (movement.Transaction, movement.Transaction.Id),
        WalletWithdrawal withdrawal => (withdrawal.Withdrawal, withdrawal.Withdrawal.Id),
        _ => throw new InvalidOperationException("A movement made nothing."),
    };

    private async Task<Result<T>> ReplayAsync<T>(Guid resultId, CancellationToken ct)
        where T : class
    {
        object? result = null;
        if (await store.FindTransactionAsync(resultId, ct).ConfigureAwait(false) is { } transaction)
        {
            result = new WalletMovement((await store.FindWalletByIdAsync(transaction.WalletId, ct).ConfigureAwait(false))!, transaction);
        }
        else if (await store.FindWithdrawalAsync(resultId, ct).ConfigureAwait(false) is { } withdrawal)
        {
            result = new WalletWithdrawal((await store.FindWalletByIdAsync(withdrawal.WalletId, ct).ConfigureAwait(false))!, withdrawal);
        }

        return result as T ?? throw new InvalidOperationException("An idempotency record points at nothing.");
    }

    private Wallet OpenWallet(Guid organizationId, string currency, DateTimeOffset now)
    {
        var wallet = Wallet.Open(random.NewId(), organizationId, currency, now);
        store.Add(wallet);
        return wallet;
    }

    private async Task<DomainError?> BillingMemberAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct)
    {
        var allowed = await organizations.MemberWithRightAsync(user, organizationId, m => m.CanBill, WalletErrors.BillingRightsRequired, ct).ConfigureAwait(false);
        return allowed.IsSuccess ? null : allowed.Error;
    }
}
