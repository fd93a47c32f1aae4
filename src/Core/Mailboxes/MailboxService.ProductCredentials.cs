using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>Product credentials (ACC-11).</summary>
public sealed partial class MailboxService
{
    /// <summary>Creates a product credential (ACC-11).</summary>
    public async Task<Result<ProductCredential>> CreateCredentialAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CredentialKind kind, string? username, string? password, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        if (product.Value.Status != ProductStatus.Active)
        {
            return MailboxErrors.ProductNotActive;
        }

        var name = (username ?? string.Empty).Trim();
        if (!Enum.IsDefined(kind) || name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return DomainError.Invalid("username", "INVALID_USERNAME", "A user name has 1 to 64 letters, digits, dots, dashes or underscores, and a kind is required.");
        }

        var checkedPassword = policy.Check(password, null, "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        var credential = ProductCredential.Create(random.NewId(), organizationId, productId, kind, name, await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false), clock.GetUtcNow());
        store.Add(credential);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return credential;
    }

    /// <summary>Changes a product credential's password; nothing else changes with it (ACC-11).</summary>
    public async Task<Result<ProductCredential>> SetCredentialPasswordAsync(AuthenticatedUser user, Guid organizationId, Guid credentialId, string? password, CancellationToken ct = default)
    {
        var credential = await store.FindCredentialAsync(credentialId, ct).ConfigureAwait(false);
        if (credential is null || credential.OrganizationId != organizationId)
        {
            return OrganizationErrors.ProductNotFound;
        }

        var product = await AccessibleProductAsync(user, organizationId, credential.ProductId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var checkedPassword = policy.Check(password, null, "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        credential.SetPasswordHash(await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return credential;
    }

    /// <summary>The credentials of a product.</summary>
    public async Task<Result<IReadOnlyList<ProductCredential>>> ListCredentialsAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        return Result<IReadOnlyList<ProductCredential>>.Ok(await store.CredentialsOfProductAsync(productId, ct).ConfigureAwait(false));
    }

    /// <summary>One page of the credentials of a product, oldest first (ACC-11, API-4).</summary>
    public async Task<Result<Page<ProductCredential>>> ListCredentialsAsync(AuthenticatedUser user, Guid organizationId, Guid productId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.CredentialsOfProductAsync(productId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, c => new PageToken(c.CreatedAt, c.Id));
    }
}
