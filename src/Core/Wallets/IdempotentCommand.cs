using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>The unit of work a request run once under its id needs: its record, and the commit.</summary>
public interface IRequestRecords
{
    /// <summary>The record of a request id, if any.</summary>
    Task<IdempotencyRecord?> FindIdempotencyAsync(string key, CancellationToken cancellationToken);

    /// <summary>Adds a new object.</summary>
    void Add(object entity);

    /// <summary>Forgets every loaded and pending change, for a retry after a conflict.</summary>
    void Reset();

    /// <summary>Commits atomically (see <see cref="Accounts.IAccountStore.SaveChangesAsync"/>).</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs a money-moving request once under its client request id, the same way for top-ups,
/// withdrawals, checkouts, orders and invoice payments:
/// the same request again gets the first outcome and moves nothing (WAL-5); another request under
/// the id is refused, and gives back a charge it made under it (WAL-6, WAL-7); a refusal is
/// remembered under the id and its external charge given back (WAL-7), except a gateway that did
/// not answer, which the same id settles later (WAL-6); the outcome commits with its record, and
/// the request is run again from a fresh read when a concurrent one committed first.
/// </summary>
public sealed class IdempotentCommand(IRequestRecords store, ExternalCharges charges, TimeProvider clock, int maxAttempts)
{
    /// <summary>Runs <paramref name="command"/> under <paramref name="key"/>.</summary>
    /// <param name="key">The organization's request id (<see cref="IdempotencyRecord.KeyOf"/>).</param>
    /// <param name="fingerprint">The request's operation and arguments (<see cref="IdempotencyRecord.FingerprintOf"/>).</param>
    /// <param name="command">Fills the unit of work, given the attempt number (1 first); commits nothing.</param>
    /// <param name="resultId">The id a success is remembered by.</param>
    /// <param name="replay">A remembered success, read again from its id.</param>
    /// <param name="refusal">What a refusal is remembered as, read after the unit of work was reset; the refusal itself when null.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<Result<T>> RunAsync<T>(
        string key, string fingerprint, Func<int, Task<Result<T>>> command, Func<T, Guid> resultId,
        Func<Guid, Task<Result<T>>> replay, Func<DomainError, Task<DomainError>>? refusal, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await store.FindIdempotencyAsync(key, ct).ConfigureAwait(false) is { } record)
                {
                    if (!Secrets.DigestEquals(record.Fingerprint, fingerprint))
                    {
                        return await charges.RefuseTakenIdAsync(key, fingerprint, ct).ConfigureAwait(false);
                    }

                    return record.Failure is { } failure ? failure : await replay(record.ResultId!.Value).ConfigureAwait(false);
                }

                var outcome = await command(attempt).ConfigureAwait(false);
                if (!outcome.IsSuccess)
                {
                    // Nothing is remembered for a charge whose outcome is unknown: the same id settles it (WAL-6).
                    if (outcome.Error.Reason == WalletErrors.GatewayTimeout.Reason)
                    {
                        return outcome;
                    }

                    store.Reset();

                    // Another request owns the id and its charge (WAL-6), or is still at work on them: both are
                    // left as they are, and nothing is remembered for this one.
                    if (outcome.Error.Reason == WalletErrors.RequestIdReused.Reason || outcome.Error.Reason == WalletErrors.RequestInProgress.Reason)
                    {
                        return outcome;
                    }

                    var remembered = refusal is null ? outcome.Error : await refusal(outcome.Error).ConfigureAwait(false);
                    await charges.ReleaseAsync(key, ct).ConfigureAwait(false);
                    store.Add(IdempotencyRecord.Failed(key, fingerprint, remembered, clock.GetUtcNow()));
                    await store.SaveChangesAsync(ct).ConfigureAwait(false);
                    return remembered;
                }

                store.Add(IdempotencyRecord.Succeeded(key, fingerprint, resultId(outcome.Value), clock.GetUtcNow()));
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return outcome;
            }
            catch (Exception e) when (e is ConcurrencyConflictException or DuplicateKeyException && attempt < maxAttempts)
            {
                // A concurrent movement of the same rows, or the same request id, committed first: read again.
                store.Reset();
            }
        }
    }
}
