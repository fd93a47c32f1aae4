using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>
/// External charges made once per attempt and outside every retried unit of work (WAL-6, WAL-7).
/// A request records its attempt and charges the gateway before its unit of work
/// (<see cref="ChargeAsync"/>); the unit of work marks the attempt delivered in the same commit as
/// what it paid for (<see cref="DeliverInUnitOfWorkAsync"/>); a request that cannot deliver gives
/// the money back (<see cref="ReleaseAsync"/>); a reconciliation job settles attempts a crash left
/// behind (<see cref="SettleStaleAsync"/>). A retry under the same key continues the same attempt
/// with the gateway; another method or amount under that key is refused.
/// </summary>
public sealed class ExternalCharges(IWalletStore store, IPaymentGateway gateway, TimeProvider clock)
{
    /// <summary>Whether the gateway knows the method.</summary>
    public bool Knows(string? method) => method is not null && gateway.Knows(method);

    /// <summary>
    /// The refusal of a request that charges nothing (the wallet, a bank transfer) under <paramref name="key"/>, when
    /// another request's external charge was attempted under it (WAL-6); null when none was.
    /// </summary>
    public async Task<DomainError?> RefusalAsync(string key, CancellationToken ct) =>
        await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false) is { } attempt ? Taken(attempt) : null;

    /// <summary>
    /// Records the attempt on its own commit, then charges the gateway once under <paramref name="key"/>
    /// for the request whose <paramref name="fingerprint"/> is given.
    /// </summary>
    public async Task<Result<ChargeAttempt>> ChargeAsync(string key, string fingerprint, Guid organizationId, string purpose, string method, Money amount, CancellationToken ct)
    {
        var attempt = await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false);
        if (attempt is null)
        {
            attempt = ChargeAttempt.Begin(key, fingerprint, organizationId, purpose, method, amount, clock.GetUtcNow());
            store.Add(attempt);
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        else if (attempt.Method != method || attempt.OrganizationId != organizationId
            || (attempt.Fingerprint is { } owner && !Secrets.DigestEquals(owner, fingerprint)))
        {
            // Another request, racing or late, under an id whose charge is under way (WAL-6): it is
            // refused and leaves that charge to its own request.
            return Taken(attempt);
        }
        else if (attempt.AmountMinor != amount.Minor || attempt.Currency != amount.Currency)
        {
            // The same request priced differently on a retry (a price changed meanwhile): the request
            // fails and its charge, if made, is given back by the caller's release.
            return WalletErrors.PaymentAmountChanged;
        }

        switch (attempt.State)
        {
            case ChargeAttemptState.Charged:
                return attempt;
            case ChargeAttemptState.Declined:
                return WalletErrors.PaymentDeclined;
            case ChargeAttemptState.Delivered or ChargeAttemptState.Refunding or ChargeAttemptState.Refunded:
                return WalletErrors.PaymentRefunded;
        }

        var charge = await gateway.ChargeAsync(method, amount, key, ct).ConfigureAwait(false);
        switch (charge.Outcome)
        {
            case ChargeOutcome.TimedOut:
                attempt.TimedOut(clock.GetUtcNow());
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return WalletErrors.GatewayTimeout;
            case ChargeOutcome.Declined:
                attempt.Declined(clock.GetUtcNow());
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return WalletErrors.PaymentDeclined;
        }

        attempt.Charged(charge.Reference, clock.GetUtcNow());
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return attempt;
    }

    /// <summary>
    /// Inside the caller's unit of work: marks the charged attempt delivered, committed with what it
    /// paid for, and gives the reference to record. A refund that won first refuses the delivery.
    /// </summary>
    public async Task<Result<string>> DeliverInUnitOfWorkAsync(string key, CancellationToken ct)
    {
        var attempt = await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false);
        if (attempt is not { State: ChargeAttemptState.Charged })
        {
            return WalletErrors.PaymentRefunded;
        }

        attempt.Delivered(clock.GetUtcNow());
        return $"gateway:{attempt.GatewayReference}";
    }

    /// <summary>
    /// Gives back a charge whose delivery failed: nothing happens unless the attempt was charged and
    /// not delivered. Marked refunding first, so that a late delivery loses, then refunded.
    /// Leaves the store's unit of work empty.
    /// </summary>
    public async Task ReleaseAsync(string key, CancellationToken ct)
    {
        for (var round = 1; ; round++)
        {
            store.Reset();
            try
            {
                var attempt = await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false);
                if (attempt is null || attempt.State is not (ChargeAttemptState.Charged or ChargeAttemptState.Refunding))
                {
                    return;
                }

                await RefundAsync(attempt, ct).ConfigureAwait(false);
                store.Reset();
                return;
            }
            catch (ConcurrencyConflictException) when (round < 5)
            {
                // A delivery or the reconciliation job moved it meanwhile: read it again.
            }
        }
    }

    // While the charge's own request is at work on it, the id's outcome is not there yet: another request
    // told "taken" now could act on a change that has not happened (a payment after a top-up's refusal
    // finding no credit), so it is told to come back; once the charge is settled or given up, the id is taken.
    private static DomainError Taken(ChargeAttempt attempt) => attempt.IsInFlight ? WalletErrors.RequestInProgress : WalletErrors.RequestIdReused;

    /// <summary>
    /// The refusal of a request whose id another request took first (WAL-6). A charge this request
    /// (<paramref name="fingerprint"/>) made under the id can deliver nothing any more, since only
    /// the id's owner records under it, so it is given back now rather than left to the
    /// reconciliation job (WAL-7); the owner's own charge is left alone. Leaves the store's unit of work empty.
    /// </summary>
    public async Task<DomainError> RefuseTakenIdAsync(string key, string fingerprint, CancellationToken ct)
    {
        store.Reset();
        if (await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false) is { Fingerprint: { } charged }
            && Secrets.DigestEquals(charged, fingerprint))
        {
            await ReleaseAsync(key, ct).ConfigureAwait(false);
        }

        return WalletErrors.RequestIdReused;
    }

    /// <summary>
    /// Settles attempts left unsettled for longer than <paramref name="olderThan"/> (a crash, a
    /// client that never retried): a pending one is asked again under its key (the gateway answers
    /// as the first time), and whatever was charged but not delivered is refunded. Returns how many
    /// were settled.
    /// </summary>
    public async Task<int> SettleStaleAsync(TimeSpan olderThan, CancellationToken ct)
    {
        store.Reset();
        var stale = await store.UnsettledChargeAttemptsAsync(clock.GetUtcNow() - olderThan, 100, ct).ConfigureAwait(false);
        var keys = stale.Select(a => a.Key).ToList();
        var settled = 0;
        foreach (var key in keys)
        {
            store.Reset();
            try
            {
                var attempt = await store.FindChargeAttemptAsync(key, ct).ConfigureAwait(false);
                if (attempt is null || attempt.IsSettled)
                {
                    continue;
                }

                if (attempt.State is ChargeAttemptState.Pending or ChargeAttemptState.Unknown)
                {
                    var charge = await gateway.ChargeAsync(attempt.Method, attempt.Amount, attempt.Key, ct).ConfigureAwait(false);
                    if (charge.Outcome == ChargeOutcome.TimedOut)
                    {
                        continue;
                    }

                    if (charge.Outcome == ChargeOutcome.Declined)
                    {
                        attempt.Declined(clock.GetUtcNow());
                        await store.SaveChangesAsync(ct).ConfigureAwait(false);
                        settled++;
                        continue;
                    }

                    attempt.Charged(charge.Reference, clock.GetUtcNow());
                }

                await RefundAsync(attempt, ct).ConfigureAwait(false);
                settled++;
            }
            catch (ConcurrencyConflictException)
            {
                // A request settled it meanwhile; the next run sees its final state.
            }
        }

        store.Reset();
        return settled;
    }

    private async Task RefundAsync(ChargeAttempt attempt, CancellationToken ct)
    {
        if (attempt.State != ChargeAttemptState.Refunding)
        {
            attempt.StartRefund(clock.GetUtcNow());
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        await gateway.RefundAsync(attempt.Method, attempt.GatewayReference!, attempt.Amount, attempt.Key, ct).ConfigureAwait(false);
        attempt.Refunded(clock.GetUtcNow());
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
