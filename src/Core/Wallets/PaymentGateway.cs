using System.Collections.Concurrent;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>What a gateway says about a charge.</summary>
public enum ChargeOutcome
{
    /// <summary>Charged.</summary>
    Succeeded = 1,
    /// <summary>Refused; nothing was charged.</summary>
    Declined = 2,
    /// <summary>No answer in time; the same key may be retried.</summary>
    TimedOut = 3,
}

/// <summary>A gateway's answer; <see cref="Reference"/> is the gateway's own id of a successful charge.</summary>
public sealed record ChargeResult(ChargeOutcome Outcome, string Reference);

/// <summary>
/// The port to external payment methods (cards, TWINT, PayPal...). Charges carry an idempotency
/// key: charging again with the same key returns the first answer and charges nothing more.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Whether the gateway knows this payment method.</summary>
    bool Knows(string paymentMethod);

    /// <summary>Charges <paramref name="amount"/> to the payment method, once per key.</summary>
    Task<ChargeResult> ChargeAsync(string paymentMethod, Money amount, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Gives back a successful charge in full, once per key (WAL-7).</summary>
    Task RefundAsync(string paymentMethod, string chargeReference, Money amount, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>
/// A gateway for local use and tests: the payment method names the outcome
/// (<c>sim-success</c>, <c>sim-decline</c>, <c>sim-timeout</c>). It remembers keys like a real one.
/// </summary>
public sealed class SimulatedPaymentGateway(ISecretGenerator random) : IPaymentGateway
{
    /// <summary>Always charges.</summary>
    public const string Success = "sim-success";

    /// <summary>Always declines.</summary>
    public const string Decline = "sim-decline";

    /// <summary>Never answers in time.</summary>
    public const string Timeout = "sim-timeout";

    private readonly ConcurrentDictionary<string, ChargeResult> _charges = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, string> _refunds = new(StringComparer.Ordinal);

    /// <summary>How many distinct charges succeeded.</summary>
    public int SuccessfulCharges => _charges.Values.Count(c => c.Outcome == ChargeOutcome.Succeeded);

    /// <summary>How many distinct charges were refunded.</summary>
    public int Refunds => _refunds.Count;

    /// <inheritdoc />
    public Task RefundAsync(string paymentMethod, string chargeReference, Money amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        _refunds.TryAdd(idempotencyKey, chargeReference);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public bool Knows(string paymentMethod) => paymentMethod is Success or Decline or Timeout;

    /// <inheritdoc />
    public Task<ChargeResult> ChargeAsync(string paymentMethod, Money amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (paymentMethod == Timeout)
        {
            return Task.FromResult(new ChargeResult(ChargeOutcome.TimedOut, string.Empty));
        }

        var result = _charges.GetOrAdd(idempotencyKey, _ => paymentMethod == Success
            ? new ChargeResult(ChargeOutcome.Succeeded, $"sim-{random.NewId():N}")
            : new ChargeResult(ChargeOutcome.Declined, string.Empty));
        return Task.FromResult(result);
    }
}
