using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Tests.Support;

/// <summary>The organization set-up the rule tests repeat, over the accounts harness.</summary>
public static class OrganizationSteps
{
    /// <summary>A new user and the organization they create, of which they are the legal representative.</summary>
    public static async Task<(AuthenticatedUser Owner, Guid OrganizationId)> OrganizationAsync(
        this AccountsHarness h, string owner = "owner@example.com", ContactDetails? contact = null)
    {
        var user = await h.UserAsync(owner);
        var created = await h.Organizations().CreateAsync(user, contact ?? Contacts.Company);
        Assert.True(created.IsSuccess, created.Error?.Reason);
        return (user, created.Value.Organization.Id);
    }

    /// <summary>A new user invited by <paramref name="inviter"/> with <paramref name="rights"/>, who accepts.</summary>
    public static async Task<AuthenticatedUser> JoinAsync(this AccountsHarness h, Guid organizationId, AuthenticatedUser inviter, string login, MemberRights rights)
    {
        var invitation = (await h.Organizations().InviteAsync(inviter, organizationId, login, rights)).Value;
        var user = await h.UserAsync(login);
        Assert.True((await h.Organizations().AcceptInvitationAsync(user, invitation.Id)).IsSuccess);
        return user;
    }

    /// <summary>A product put straight into the store, as billing would leave it: active until <paramref name="activeUntil"/>, else awaiting payment.</summary>
    public static Product AddProduct(this AccountsHarness h, Guid organizationId, ProductType type, string name, DateTimeOffset? activeUntil, long priceMinor = 0)
    {
        var product = Product.Order(h.Random.NewId(), organizationId, type, name, Money.FromTrusted(priceMinor, "CHF"), h.Clock.GetUtcNow()).Value;
        if (activeUntil is { } until)
        {
            product.Activate(until);
        }

        using var db = h.NewDb();
        db.Add(product);
        db.SaveChanges();
        return product;
    }
}
