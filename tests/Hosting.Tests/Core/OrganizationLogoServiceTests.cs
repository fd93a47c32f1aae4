using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

/// <summary>Setting, reading and removing an organization's logo (ORG-10) over the real store.</summary>
public sealed class OrganizationLogoServiceTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(AuthenticatedUser Owner, Guid OrganizationId, AuthenticatedUser Limited, AuthenticatedUser Outsider)> WorldAsync()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], true));
        return (owner, id, limited, await _h.UserAsync("outsider@example.com"));
    }

    private StoredLogo? Stored(Guid organizationId) =>
        _h.Query(db => db.Set<StoredLogo>().AsNoTracking().SingleOrDefault(l => l.OrganizationId == organizationId));

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task SetLogo_StoresTheImage_WhichEveryMemberReads()
    {
        var (owner, id, limited, _) = await WorldAsync();
        var png = OrganizationLogoTests.Png();

        var set = await _h.Organizations().SetLogoAsync(owner, id, png);

        Assert.Equal(png, set.Value.Content);
        Assert.Equal(AccountsHarness.Start, set.Value.UpdatedAt);
        Assert.Equal(png, Stored(id)!.Content);
        Assert.Equal(png, (await _h.Organizations().GetLogoAsync(limited, id)).Value.Content);
        Assert.Equal(png, (await _h.Organizations().GetLogoAsync(owner, id)).Value.Content);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task SetLogo_Again_ReplacesTheImageAndItsTime_KeepingOneLogo()
    {
        var (owner, id, _, _) = await WorldAsync();
        await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png());
        _h.Clock.Advance(TimeSpan.FromHours(1));
        var second = OrganizationLogoTests.Png(colourType: 4);

        var replaced = await _h.Organizations().SetLogoAsync(owner, id, second);

        Assert.True(replaced.IsSuccess);
        var stored = Stored(id)!;
        Assert.Equal(second, stored.Content);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromHours(1), stored.UpdatedAt);
        Assert.Equal(1, _h.Query(db => db.Set<StoredLogo>().Count()));
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task SetLogo_IsForManagersOnly_AndARefusalKeepsTheLogo()
    {
        var (owner, id, limited, outsider) = await WorldAsync();
        var png = OrganizationLogoTests.Png();
        await _h.Organizations().SetLogoAsync(owner, id, png);

        var denied = ResultAssert.Fails(await _h.Organizations().SetLogoAsync(limited, id, OrganizationLogoTests.Png(colourType: 4)), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(outsider, id, OrganizationLogoTests.Png(colourType: 4)), "ORGANIZATION_NOT_FOUND");

        Assert.Equal(ErrorKind.PermissionDenied, denied.Kind);
        Assert.Equal(png, Stored(id)!.Content);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task SetLogo_Refused_ForNoContent_TooLarge_OrNotAPng_StoresNothing()
    {
        var (owner, id, _, _) = await WorldAsync();

        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(owner, id, null), "LOGO_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(owner, id, []), "LOGO_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png(padTo: OrganizationLogo.MaxBytes + 1)), "LOGO_TOO_LARGE");
        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(owner, id, [1, 2, 3]), "LOGO_NOT_PNG");

        Assert.Null(Stored(id));
        ResultAssert.Fails(await _h.Organizations().GetLogoAsync(owner, id), "LOGO_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task SetLogo_RefusedOverAnExistingLogo_KeepsIt()
    {
        var (owner, id, _, _) = await WorldAsync();
        var png = OrganizationLogoTests.Png();
        await _h.Organizations().SetLogoAsync(owner, id, png);
        _h.Clock.Advance(TimeSpan.FromHours(1));

        ResultAssert.Fails(await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png(colourType: 2)), "LOGO_NO_TRANSPARENCY");

        Assert.Equal(png, Stored(id)!.Content);
        Assert.Equal(AccountsHarness.Start, Stored(id)!.UpdatedAt);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task GetLogo_WhenThereIsNone_IsLogoNotFound_AndForAnOutsider_TheOrganizationIsNotFound()
    {
        var (owner, id, _, outsider) = await WorldAsync();

        var none = ResultAssert.Fails(await _h.Organizations().GetLogoAsync(owner, id), "LOGO_NOT_FOUND");
        await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png());

        Assert.Equal(ErrorKind.NotFound, none.Kind);
        ResultAssert.Fails(await _h.Organizations().GetLogoAsync(outsider, id), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().GetLogoAsync(owner, Guid.NewGuid()), "ORGANIZATION_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task DeleteLogo_RemovesIt_SoMembersSeeNone_AndASecondDeleteFindsNone()
    {
        var (owner, id, limited, _) = await WorldAsync();
        await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png());

        Assert.True((await _h.Organizations().DeleteLogoAsync(owner, id)).IsSuccess);

        Assert.Null(Stored(id));
        ResultAssert.Fails(await _h.Organizations().GetLogoAsync(limited, id), "LOGO_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(owner, id), "LOGO_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task DeleteLogo_IsForManagersOnly_AndARefusalKeepsTheLogo()
    {
        var (owner, id, limited, outsider) = await WorldAsync();
        await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png());

        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(limited, id), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(outsider, id), "ORGANIZATION_NOT_FOUND");

        Assert.NotNull(Stored(id));
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task DeleteLogo_WhenThereIsNone_IsLogoNotFound_EvenForAManager()
    {
        var (owner, id, limited, _) = await WorldAsync();

        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(owner, id), "LOGO_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(limited, id), "ADMINISTRATOR_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public async Task ALogo_BelongsToItsOrganizationOnly()
    {
        var (owner, id, _, _) = await WorldAsync();
        var other = (await _h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id;
        await _h.Organizations().SetLogoAsync(owner, id, OrganizationLogoTests.Png());

        ResultAssert.Fails(await _h.Organizations().GetLogoAsync(owner, other), "LOGO_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().DeleteLogoAsync(owner, other), "LOGO_NOT_FOUND");
        Assert.NotNull(Stored(id));
    }
}
