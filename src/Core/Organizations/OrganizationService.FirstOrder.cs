using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>A first order without an account (ORG-1).</summary>
public sealed partial class OrganizationService
{
    /// <summary>
    /// A first order without an account (ORG-1): creates the account, the organization named after
    /// the person or company, and the product awaiting payment, in one transaction.
    /// </summary>
    public async Task<Result<FirstOrder>> OrderFirstProductAsync(
        ContactDetails contact, string? login, string? password, ProductType productType, string? productName, SignInContext context, CancellationToken ct = default)
    {
        var valid = contact.Validated("contact_details");
        if (!valid.IsSuccess)
        {
            return valid.Error;
        }

        if (!Enum.IsDefined(productType) || await catalogue.FindAsync(productType, ct).ConfigureAwait(false) is not { } entry)
        {
            return OrganizationErrors.UnknownProductType;
        }

        var now = clock.GetUtcNow();
        var organizationId = random.NewId();
        var product = Product.Order(random.NewId(), organizationId, productType, productName, Money.FromTrusted(entry.PriceMinor, entry.Currency), now);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var claimed = await _mailDomains.ClaimAsync(product.Value, "product_display_name", now, ct).ConfigureAwait(false);
        if (!claimed.IsSuccess)
        {
            return claimed.Error;
        }

        var account = await accounts.PrepareSignUpAsync(login, password, null, context, "", ct).ConfigureAwait(false);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        var organization = Organization.Create(organizationId, valid.Value, account.Value.Id, now);
        store.Add(organization);
        store.Add(product.Value);
        account.Value.SwitchOrganization(organization.Id);
        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException e) when (MailDomains.IsClaimConflict(e))
        {
            return MailDomains.Taken("product_display_name");
        }
        catch (DuplicateKeyException)
        {
            return AccountErrors.LoginTaken;
        }

        return new FirstOrder(account.Value, organization, product.Value);
    }
}
