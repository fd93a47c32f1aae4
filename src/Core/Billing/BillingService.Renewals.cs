using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>Automatic renewal (BIL-7).</summary>
public sealed partial class BillingService
{
    /// <summary>Switches automatic renewal of a product with its payment preference (BIL-7).</summary>
    public async Task<Result<Product>> SetAutoRenewalAsync(AuthenticatedUser user, Guid organizationId, Guid productId, bool enabled, string? paymentMethod, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var product = await organizations.FindProductAsync(organizationId, productId, ct).ConfigureAwait(false);
        if (product is null)
        {
            return OrganizationErrors.ProductNotFound;
        }

        if (enabled && paymentMethod != WalletMethod && (paymentMethod is null || !gateway.Knows(paymentMethod)))
        {
            return BillingErrors.UnknownPaymentMethod;
        }

        product.SetAutoRenewal(enabled, paymentMethod);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return product;
    }

    /// <summary>
    /// Renews what is due with automatic renewal on, paying from each product's preference; a
    /// failure leaves the product in "to pay" and notifies the billing members once per due date
    /// (BIL-7). Returns how many were renewed.
    /// </summary>
    public async Task<int> RunRenewalsAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var due = await store.DueForAutoRenewalAsync(now, ct).ConfigureAwait(false);
        var renewed = 0;
        foreach (var product in due.Select(p => (p.Id, p.OrganizationId, p.RenewalDate, p.RenewalPaymentMethod, p.Name)).ToList())
        {
            var ticks = product.RenewalDate!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture);
            var order = new CheckoutOrder([product.Id], null, product.RenewalPaymentMethod, null, new HashSet<Guid>(), $"r{product.Id:N}{product.RenewalDate.Value:yyyyMMddHHmm}{now:yyyyMMdd}");
            var result = await CheckoutCoreAsync(product.OrganizationId, order, ct).ConfigureAwait(false);
            store.Reset();
            if (result.IsSuccess)
            {
                renewed++;
                continue;
            }

            await NotifyRenewalFailureAsync(product.OrganizationId, product.Id, product.Name, ticks, result.Error!, ct).ConfigureAwait(false);
        }

        return renewed;
    }

    private async Task NotifyRenewalFailureAsync(Guid organizationId, Guid productId, string productName, string dueTicks, DomainError error, CancellationToken ct)
    {
        var key = IdempotencyRecord.KeyOf(organizationId, $"renewal-notice-{productId:N}-{dueTicks}");
        if (await store.FindIdempotencyAsync(key, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        var organization = await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var billing = await organizations.BillingMemberIdsAsync(organizationId, ct).ConfigureAwait(false);
        var logins = await organizations.LoginsAsync(billing, ct).ConfigureAwait(false);
        foreach (var login in logins.Values)
        {
            store.Add(OutboxMessage.Queue(random.NewId(), "renewal-failed", login.Value, $"Renewal of {productName} failed",
                $"The automatic renewal of {productName} in {organization.Name} could not be paid ({error.Reason}). It stays in \"to pay\" until it is paid.", now));
        }

        store.Add(IdempotencyRecord.Failed(key, "notice", error, now));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
