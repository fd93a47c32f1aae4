using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Product credentials (FTP, SSH, MySQL, WebDAV): who may make and change them, and what a valid one is (ACC-11).</summary>
public sealed class ProductCredentialTests : IDisposable
{
    private const string CredentialPassword = "ftp secret words 1";
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>Creates a credential on the mail service as <paramref name="who"/>, the owner when null.</summary>
    private Task<Result<ProductCredential>> CreateAsync(string? username, CredentialKind kind = CredentialKind.Ftp, AuthenticatedUser? who = null, string? password = CredentialPassword, Guid? product = null) =>
        _w.Mailboxes.CreateCredentialAsync(who ?? _w.Owner, _w.OrganizationId, product ?? _w.MailServiceId, kind, username, password);

    private Task<Result<ProductCredential>> SetPasswordAsync(AuthenticatedUser who, Guid credentialId, string? password, Guid? organizationId = null) =>
        _w.Mailboxes.SetCredentialPasswordAsync(who, organizationId ?? _w.OrganizationId, credentialId, password);

    private int StoredCredentials() => _w.H.Query(db => db.Set<ProductCredential>().Count());

    private string StoredHash(Guid credentialId) => _w.H.Query(db => db.Set<ProductCredential>().Single(c => c.Id == credentialId).PasswordHash);

    private static void AssertInvalidUsername<T>(Result<T> result) =>
        Assert.Equal("username", Assert.Single(ResultAssert.Fails(result, "INVALID_USERNAME").Fields).Field);

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task Create_MakesACredentialOfTheProduct_WithTheTrimmedUserNameAndAHashedPassword()
    {
        await _w.SetUpAsync();

        var created = (await CreateAsync("  deploy_1  ", CredentialKind.Ssh)).Value;

        Assert.Equal("deploy_1", created.Username);
        Assert.Equal(CredentialKind.Ssh, created.Kind);
        Assert.Equal(_w.OrganizationId, created.OrganizationId);
        Assert.Equal(_w.MailServiceId, created.ProductId);
        Assert.Equal(AccountsHarness.Start, created.CreatedAt);
        Assert.True((await _w.H.Hasher.VerifyAsync(StoredHash(created.Id), CredentialPassword, default)).Matches);
        Assert.DoesNotContain(CredentialPassword, created.PasswordHash, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task Create_TakesUserNamesOf1To64LettersDigitsDotsDashesAndUnderscores()
    {
        await _w.SetUpAsync();

        Assert.True((await CreateAsync("a")).IsSuccess);
        Assert.True((await CreateAsync(new string('u', 64))).IsSuccess);
        Assert.True((await CreateAsync("Web.Dav-user_9", CredentialKind.WebDav)).IsSuccess);
        Assert.True((await CreateAsync("shop", CredentialKind.MySql)).IsSuccess);
        Assert.Equal(4, StoredCredentials());
    }

    [Theory]
    [Trait("Rule", "ACC-11")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("two words")]
    [InlineData("slash/name")]
    [InlineData("at@name")]
    [InlineData("plus+name")]
    [InlineData("café")]
    public async Task Create_WithAnInvalidUserName_IsRefused(string? username)
    {
        await _w.SetUpAsync();

        AssertInvalidUsername(await CreateAsync(username));
        Assert.Equal(0, StoredCredentials());
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task Create_WithAUserNameOf65Characters_OrAnUnknownKind_IsRefused()
    {
        await _w.SetUpAsync();

        AssertInvalidUsername(await CreateAsync(new string('u', 65)));
        AssertInvalidUsername(await CreateAsync("upload", (CredentialKind)0));
        AssertInvalidUsername(await CreateAsync("upload", (CredentialKind)5));
        Assert.Equal(0, StoredCredentials());
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task Create_WithAWeakPassword_IsRefused()
    {
        await _w.SetUpAsync();

        ResultAssert.Fails(await CreateAsync("upload", password: "short"), "PASSWORD_TOO_SHORT");
        ResultAssert.Fails(await CreateAsync("upload", password: null), "PASSWORD_REQUIRED");
        Assert.Equal(0, StoredCredentials());
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    [Trait("Rule", "ORG-3")]
    public async Task Create_NeedsAccessToTheProduct()
    {
        await _w.SetUpAsync();
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var mail = await _w.MailMemberAsync("mail@example.com");
        var outsider = await _w.H.UserAsync("outsider@example.com");

        ResultAssert.Fails(await CreateAsync("upload", who: limited), "PRODUCT_ACCESS_REQUIRED");
        ResultAssert.Fails(await CreateAsync("upload", who: outsider), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await CreateAsync("upload", product: Guid.NewGuid()), "PRODUCT_NOT_FOUND");
        Assert.Equal(0, StoredCredentials());
        Assert.True((await CreateAsync("upload", who: mail)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task Create_WorksOnAnyActiveProduct_NotOnlyMailServices()
    {
        await _w.SetUpAsync();
        var hosting = _w.AddProduct(_w.OrganizationId, ProductType.WebHosting, "site.example.ch");

        Assert.Equal(hosting.Id, (await CreateAsync("upload", product: hosting.Id)).Value.ProductId);
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task Create_OnAnUnpaidOrTerminatedProduct_IsRefused()
    {
        await _w.SetUpAsync(paid: false);

        ResultAssert.Fails(await CreateAsync("upload"), "PRODUCT_NOT_ACTIVE");
        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);
        ResultAssert.Fails(await CreateAsync("upload"), "PRODUCT_NOT_ACTIVE");
        Assert.Equal(0, StoredCredentials());
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task SetPassword_ChangesThatCredentialOnly()
    {
        await _w.SetUpAsync();
        var ftp = (await CreateAsync("upload")).Value;
        var ssh = (await CreateAsync("deploy", CredentialKind.Ssh)).Value;
        var mail = await _w.MailMemberAsync("mail@example.com");

        var changed = (await SetPasswordAsync(mail, ftp.Id, "other ftp secret 2")).Value;

        Assert.Equal(ftp.Id, changed.Id);
        Assert.True((await _w.H.Hasher.VerifyAsync(StoredHash(ftp.Id), "other ftp secret 2", default)).Matches);
        Assert.Equal(ssh.PasswordHash, StoredHash(ssh.Id));
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    [Trait("Rule", "ORG-3")]
    public async Task SetPassword_IsRefused_WithoutAccessOrThroughAnotherOrganizationOrWeak_AndChangesNothing()
    {
        await _w.SetUpAsync();
        var ftp = (await CreateAsync("upload")).Value;
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var ownersOther = (await _w.Organizations.CreateAsync(_w.Owner, Contacts.Person)).Value.Organization.Id;

        ResultAssert.Fails(await SetPasswordAsync(limited, ftp.Id, "other ftp secret 2"), "PRODUCT_ACCESS_REQUIRED");
        ResultAssert.Fails(await SetPasswordAsync(_w.Owner, ftp.Id, "other ftp secret 2", ownersOther), "PRODUCT_NOT_FOUND");
        ResultAssert.Fails(await SetPasswordAsync(_w.Owner, Guid.NewGuid(), "other ftp secret 2"), "PRODUCT_NOT_FOUND");
        ResultAssert.Fails(await SetPasswordAsync(_w.Owner, ftp.Id, "short"), "PASSWORD_TOO_SHORT");

        Assert.Equal(ftp.PasswordHash, StoredHash(ftp.Id));
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    [Trait("Rule", "ORG-3")]
    public async Task List_ShowsTheProductsCredentials_ToMembersWithAccess()
    {
        await _w.SetUpAsync();
        await CreateAsync("upload");
        await CreateAsync("deploy", CredentialKind.Ssh);
        var limited = await _w.LimitedMemberAsync("limited@example.com");
        var mail = await _w.MailMemberAsync("mail@example.com");

        ResultAssert.Fails(await _w.Mailboxes.ListCredentialsAsync(limited, _w.OrganizationId, _w.MailServiceId), "PRODUCT_ACCESS_REQUIRED");
        ResultAssert.Fails(await _w.Mailboxes.ListCredentialsAsync(limited, _w.OrganizationId, _w.MailServiceId, 0, null), "PRODUCT_ACCESS_REQUIRED");
        Assert.Equal(2, (await _w.Mailboxes.ListCredentialsAsync(mail, _w.OrganizationId, _w.MailServiceId)).Value.Count);
        Assert.Equal(2, (await _w.Mailboxes.ListCredentialsAsync(mail, _w.OrganizationId, _w.MailServiceId, 0, null)).Value.Items.Count);
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    [Trait("Rule", "API-4")]
    public async Task List_PagesOldestFirst_WithATokenOnlyWhileMoreFollow()
    {
        await _w.SetUpAsync();
        foreach (var username in new[] { "upload", "deploy", "shop" })
        {
            _w.H.Clock.Advance(TimeSpan.FromSeconds(1));
            await CreateAsync(username);
        }

        var first = (await _w.Mailboxes.ListCredentialsAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, null)).Value;
        var second = (await _w.Mailboxes.ListCredentialsAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, first.NextPageToken)).Value;

        Assert.Equal(["upload", "deploy"], first.Items.Select(c => c.Username));
        Assert.Equal(["shop"], second.Items.Select(c => c.Username));
        Assert.Equal(string.Empty, second.NextPageToken);
        ResultAssert.Fails(await _w.Mailboxes.ListCredentialsAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _w.Mailboxes.ListCredentialsAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
    }
}
