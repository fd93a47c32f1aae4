using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>Where an external charge is (WAL-7).</summary>
public enum ChargeAttemptState
{
    /// <summary>Recorded; the gateway was asked, or is about to be, and has not answered yet.</summary>
    Pending = 1,
    /// <summary>The gateway charged; what it pays for is not delivered yet.</summary>
    Charged = 2,
    /// <summary>Delivered in the same transaction as what it paid for; final.</summary>
    Delivered = 3,
    /// <summary>Being given back: no delivery can win any more; the gateway refund may still be under way.</summary>
    Refunding = 4,
    /// <summary>Given back; final.</summary>
    Refunded = 5,
    /// <summary>The gateway refused; nothing was charged; final.</summary>
    Declined = 6,
    /// <summary>The gateway did not answer in time and the request gave up: unknown until the same request asks again, or the reconciliation job does.</summary>
    Unknown = 7,
}

/// <summary>
/// One external charge of a request (WAL-7): recorded before the gateway is asked and committed on
/// its own, so that a charge is made once per attempt and never inside a retried unit of work.
/// Its concurrency token lets exactly one of a delivery and a refund win.
/// </summary>
public sealed class ChargeAttempt
{
    private ChargeAttempt(string key, Guid organizationId, string purpose, string method, long amountMinor, string currency, DateTimeOffset createdAt)
    {
        Key = key;
        OrganizationId = organizationId;
        Purpose = purpose;
        Method = method;
        AmountMinor = amountMinor;
        Currency = currency;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    /// <summary>The request's idempotency key, also the gateway's.</summary>
    public string Key { get; private set; }

    /// <summary>The organization paying.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>What it pays for: <c>top-up</c>, <c>checkout</c>, <c>order</c>, <c>invoice</c>.</summary>
    public string Purpose { get; private set; }

    /// <summary>The gateway's payment method.</summary>
    public string Method { get; private set; }

    /// <summary>
    /// The fingerprint of the request that made it (as its idempotency record has): another request
    /// under the same key is told the id is taken, never given this one's charge. Null on attempts
    /// recorded before it was kept.
    /// </summary>
    public string? Fingerprint { get; private set; }

    /// <summary>The amount charged, in minor units.</summary>
    public long AmountMinor { get; private set; }

    /// <summary>ISO 4217.</summary>
    public string Currency { get; private set; }

    /// <summary>The amount charged.</summary>
    public Money Amount => Money.FromTrusted(AmountMinor, Currency);

    /// <summary>Where it is.</summary>
    public ChargeAttemptState State { get; private set; } = ChargeAttemptState.Pending;

    /// <summary>The gateway's reference of the charge, once charged.</summary>
    public string? GatewayReference { get; private set; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When its state last moved.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>
    /// Whether its request is still at work on it (asking the gateway, or delivering what it paid for): another
    /// request under its key is told to come back rather than that the id is taken, since the outcome that
    /// takes the id is not there yet. A crash leaves it so until the reconciliation job settles it.
    /// </summary>
    public bool IsInFlight => State is ChargeAttemptState.Pending or ChargeAttemptState.Charged;

    /// <summary>Whether nothing more will happen to it.</summary>
    public bool IsSettled => State is ChargeAttemptState.Delivered or ChargeAttemptState.Refunded or ChargeAttemptState.Declined;

    /// <summary>Records an attempt before the gateway is asked.</summary>
    public static ChargeAttempt Begin(string key, string fingerprint, Guid organizationId, string purpose, string method, Money amount, DateTimeOffset now) =>
        new(key, organizationId, purpose, method, amount.Minor, amount.Currency, now) { Fingerprint = fingerprint };

    /// <summary>The gateway charged.</summary>
    public void Charged(string reference, DateTimeOffset now) => Move(ChargeAttemptState.Charged, now, reference);

    /// <summary>The gateway did not answer in time; its request gave up.</summary>
    public void TimedOut(DateTimeOffset now) => Move(ChargeAttemptState.Unknown, now);

    /// <summary>The gateway refused.</summary>
    public void Declined(DateTimeOffset now) => Move(ChargeAttemptState.Declined, now);

    /// <summary>What it paid for is committed with this change.</summary>
    public void Delivered(DateTimeOffset now) => Move(ChargeAttemptState.Delivered, now);

    /// <summary>From now on it is being given back; no delivery can win.</summary>
    public void StartRefund(DateTimeOffset now) => Move(ChargeAttemptState.Refunding, now);

    /// <summary>The gateway gave the money back.</summary>
    public void Refunded(DateTimeOffset now) => Move(ChargeAttemptState.Refunded, now);

    private void Move(ChargeAttemptState state, DateTimeOffset now, string? reference = null)
    {
        State = state;
        GatewayReference = reference ?? GatewayReference;
        UpdatedAt = now;
        Version++;
    }
}
