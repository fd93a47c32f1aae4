using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Creating, listing and deleting mailboxes: who may, on which product, and what each leaves behind.</summary>
public sealed class MailboxLifecycleTests : IDisposable
{
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>Creates a mailbox as <paramref name="who"/>, the owner when null.</summary>
    private Task<Result<Mailbox>> CreateAsync(AuthenticatedUser? who, string? localPart, string? password = MailboxWorld.MailboxPassword, Guid? service = null) =>
        _w.Mailboxes.CreateAsync(who ?? _w.Owner, _w.OrganizationId, service ?? _w.MailServiceId, localPart, password);

    private int StoredMailboxes() => _w.H.Query(db => db.Set<Mailbox>().Count());

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task Create_MakesAMailboxOnTheServiceDomain_WithItsOwnPassword_NotUnified()
    {
        await _w.SetUpAsync();

        var created = (await CreateAsync(null, "  Julie ")).Value;

        Assert.Equal(_w.Address("julie"), created.Address.Value);
        Assert.Equal(_w.OrganizationId, created.OrganizationId);
        Assert.Equal(_w.MailServiceId, created.MailServiceId);
        Assert.Equal(AccountsHarness.Start, created.CreatedAt);
        Assert.Null(created.UnifiedAccountId);
        Assert.True(await _w.MailAppSignsInAsync("julie", MailboxWorld.MailboxPassword));
        Assert.False(await _w.MailAppSignsInAsync("julie", Passwords.Good));
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    [Trait("Rule", "ORG-3")]
    public async Task Create_NeedsRightsOnTheMailService()
    {
        await _w.SetUpAsync();
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var mail = await _w.MailMemberAsync("mail@example.com");
        var outsider = await _w.H.UserAsync("outsider@example.com");

        ResultAssert.Fails(await CreateAsync(limited, "info"), "MAIL_SERVICE_RIGHTS_REQUIRED");
        ResultAssert.Fails(await CreateAsync(outsider, "info"), "ORGANIZATION_NOT_FOUND");
        Assert.Equal(0, StoredMailboxes());
        Assert.True((await CreateAsync(mail, "info")).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task Create_OnAnUnpaidMailService_IsRefused()
    {
        await _w.SetUpAsync(paid: false);

        ResultAssert.Fails(await CreateAsync(null, "info"), "PRODUCT_NOT_ACTIVE");
        Assert.Equal(0, StoredMailboxes());
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task Create_OnAProductThatIsNoLiveMailService_IsRefused()
    {
        await _w.SetUpAsync();
        var hosting = _w.AddProduct(_w.OrganizationId, ProductType.WebHosting, "site.example.ch");
        var other = await _w.H.UserAsync("other-owner@example.com");
        var foreignOrganization = (await _w.Organizations.CreateAsync(other, Contacts.Person)).Value.Organization.Id;
        var foreignService = _w.AddProduct(foreignOrganization, ProductType.MailService, "foreign.example.ch");

        ResultAssert.Fails(await CreateAsync(null, "info", service: hosting.Id), "MAIL_SERVICE_NOT_FOUND");
        ResultAssert.Fails(await CreateAsync(null, "info", service: foreignService.Id), "PRODUCT_NOT_FOUND");
        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);
        ResultAssert.Fails(await CreateAsync(null, "info"), "MAIL_SERVICE_NOT_FOUND");
        Assert.Equal(0, StoredMailboxes());
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task Create_WithALocalPartThatIsNoAddress_IsRefused_NamingTheLocalPart()
    {
        await _w.SetUpAsync();

        foreach (var localPart in new string?[] { null, "", "a@other.ch", "two words" })
        {
            var error = ResultAssert.Fails(await CreateAsync(null, localPart), "INVALID_EMAIL");
            Assert.Equal("local_part", Assert.Single(error.Fields).Field);
        }

        Assert.Equal(0, StoredMailboxes());
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task Create_WithAWeakPassword_IsRefused_AndThePasswordMayNotBeTheAddress()
    {
        await _w.SetUpAsync();

        ResultAssert.Fails(await CreateAsync(null, "info", "short"), "PASSWORD_TOO_SHORT");
        ResultAssert.Fails(await CreateAsync(null, "info", null), "PASSWORD_REQUIRED");
        ResultAssert.Fails(await CreateAsync(null, "info", _w.Address("info")), "PASSWORD_EQUALS_LOGIN");
        Assert.Equal(0, StoredMailboxes());
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task Create_WithAnAddressThatExists_IsRefused_WhateverItsCase()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");

        ResultAssert.Fails(await CreateAsync(null, "info", "other mailbox secret 4"), "MAILBOX_EXISTS");
        ResultAssert.Fails(await CreateAsync(null, "INFO", "other mailbox secret 4"), "MAILBOX_EXISTS");
        Assert.Equal(1, StoredMailboxes());
        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    public async Task List_ShowsTheServicesMailboxes_ToMembersWithRightsOnIt()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        await _w.MailboxAsync("sales");
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var mail = await _w.MailMemberAsync("mail@example.com");

        ResultAssert.Fails(await _w.Mailboxes.ListAsync(limited, _w.OrganizationId, _w.MailServiceId), "MAIL_SERVICE_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _w.Mailboxes.ListAsync(limited, _w.OrganizationId, _w.MailServiceId, 0, null), "MAIL_SERVICE_RIGHTS_REQUIRED");
        Assert.Equal(2, (await _w.Mailboxes.ListAsync(mail, _w.OrganizationId, _w.MailServiceId)).Value.Count);
        Assert.Equal(2, (await _w.Mailboxes.ListAsync(mail, _w.OrganizationId, _w.MailServiceId, 0, null)).Value.Items.Count);
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task List_OfAnUnpaidService_IsEmpty_AndOfATerminatedOne_IsRefused()
    {
        await _w.SetUpAsync(paid: false);

        Assert.Empty((await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).Value);
        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);
        ResultAssert.Fails(await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId), "MAIL_SERVICE_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 0, null), "MAIL_SERVICE_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task List_PagesOldestFirst_WithATokenOnlyWhileMoreFollow()
    {
        await _w.SetUpAsync();
        foreach (var localPart in new[] { "zoe", "ann", "max" })
        {
            _w.H.Clock.Advance(TimeSpan.FromSeconds(1));
            await _w.MailboxAsync(localPart);
        }

        var first = (await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, null)).Value;
        var second = (await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, first.NextPageToken)).Value;
        var whole = (await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 3, null)).Value;

        Assert.Equal(["zoe", "ann"], first.Items.Select(m => m.Address.Value.Split('@')[0]));
        Assert.Equal(["max"], second.Items.Select(m => m.Address.Value.Split('@')[0]));
        Assert.Equal(string.Empty, second.NextPageToken);
        Assert.Equal(3, whole.Items.Count);
        Assert.Equal(string.Empty, whole.NextPageToken);
        ResultAssert.Fails(await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _w.Mailboxes.ListAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    public async Task Delete_RemovesTheMailboxAndEveryWebmailLinkToIt()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        var sales = await _w.MailboxAsync("sales");
        var outsider = await _w.H.UserAsync("outsider@example.com");
        await _w.LinkAsync(outsider, "info", MailboxWorld.MailboxPassword);
        await _w.LinkAsync(_w.Owner, "info");
        await _w.LinkAsync(_w.Owner, "sales");

        Assert.True((await _w.Mailboxes.DeleteAsync(_w.Owner, _w.OrganizationId, info.Id)).IsSuccess);

        Assert.False(_w.Exists(info.Id));
        Assert.True(_w.Exists(sales.Id));
        Assert.Empty(_w.LinksOf(outsider.AccountId));
        Assert.Equal(sales.Id, Assert.Single(_w.LinksOf(_w.Owner.AccountId)).MailboxId);
        Assert.False(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    [Trait("Rule", "ORG-5")]
    public async Task Delete_IsRefused_WithoutRights_OrThroughAnotherOrganization_AndChangesNothing()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        await _w.LinkAsync(_w.Owner, "info");
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var outsider = await _w.H.UserAsync("outsider@example.com");
        var ownersOther = (await _w.Organizations.CreateAsync(_w.Owner, Contacts.Person)).Value.Organization.Id;

        ResultAssert.Fails(await _w.Mailboxes.DeleteAsync(limited, _w.OrganizationId, info.Id), "MAIL_SERVICE_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _w.Mailboxes.DeleteAsync(outsider, _w.OrganizationId, info.Id), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.DeleteAsync(_w.Owner, ownersOther, info.Id), "MAILBOX_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.DeleteAsync(_w.Owner, _w.OrganizationId, Guid.NewGuid()), "MAILBOX_NOT_FOUND");

        Assert.True(_w.Exists(info.Id));
        Assert.Single(_w.LinksOf(_w.Owner.AccountId));
    }

    [Theory]
    [Trait("Rule", "MBX-3")]
    [Trait("Rule", "MBX-4")]
    [InlineData("password")]
    [InlineData("unify")]
    [InlineData("end unification")]
    public async Task AStaleCopyOfAMailbox_CannotOverwriteAChangeMadeMeanwhile(string change)
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        using var first = _w.H.NewDb();
        using var stale = _w.H.NewDb();
        var mailbox = first.Set<Mailbox>().Single();
        var copy = stale.Set<Mailbox>().Single();
        Action apply = change switch
        {
            "password" => () => mailbox.SetPasswordHash("first change"),
            "unify" => () => mailbox.UnifyWith(_w.Owner.AccountId),
            _ => mailbox.EndUnification,
        };

        apply();
        first.SaveChanges();
        copy.SetPasswordHash("lost change");

        Assert.Throws<Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException>(() => stale.SaveChanges());
    }
}
