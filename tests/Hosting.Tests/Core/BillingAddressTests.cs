using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Billing addresses (BIL-1) over the SQLite store: list, add, edit, remove, and who may.</summary>
public sealed class BillingAddressTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<BillingWorld> WorldAsync() => BillingWorld.CreateAsync(_h);

    private Task<Result<BillingAddress>> AddAsync(BillingWorld w, string recipient = "Accounts payable", string street = "Quai 2", string postalCode = "1201", string city = "Genève", string country = "CH", Guid? organizationId = null) =>
        _h.Billing().AddAddressAsync(w.Owner, organizationId ?? w.OrganizationId, recipient, street, postalCode, city, country);

    private List<BillingAddress> Stored() => _h.Query(db => db.Set<BillingAddress>().ToList());

    private BillingAddress Stored(Guid id) => _h.Query(db => db.Set<BillingAddress>().Single(a => a.Id == id));

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task AnAddedAddress_IsStoredTrimmed_WithAnUpperCaseCountry_AndListedAfterTheMainOne()
    {
        var w = await WorldAsync();

        var added = (await AddAsync(w, recipient: "  Accounts payable ", street: " Quai 2 ", postalCode: " 1201 ", city: " Genève ", country: " ch ")).Value;

        var stored = Stored(added.Id);
        Assert.Equal((w.OrganizationId, "Accounts payable", "Quai 2", "1201", "Genève", "CH"), (stored.OrganizationId, stored.Recipient, stored.Street, stored.PostalCode, stored.City, stored.Country));
        Assert.Equal(_h.Clock.GetUtcNow(), stored.CreatedAt);
        Assert.Equal("W/\"1\"", added.ETag);
        var list = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId)).Value;
        Assert.Equal(2, list.Count);
        Assert.True(list[0].IsMain);
        Assert.Null(list[0].Id);
        Assert.Equal(["Meier Web Sàrl", "Rue du Lac 1", "1200 Geneva"], list[0].Lines.Take(3));
        Assert.False(list[1].IsMain);
        Assert.Equal(added.Id, list[1].Id);
        Assert.Equal(["Accounts payable", "Quai 2", "1201 Genève", "CH"], list[1].Lines);
        Assert.Equal(added.Id, list[1].Stored!.Id);
        Assert.Single((await _h.Billing().ListAddressesAsync(w.Owner, w.OtherOrganizationId)).Value);
    }

    public static TheoryData<string, string, string?, string?, string?, string?, string?> RefusedAddresses => new()
    {
        { "FIELD_REQUIRED", "billing_address.recipient", null, "Quai 2", "1201", "Genève", "CH" },
        { "FIELD_REQUIRED", "billing_address.recipient", "   ", "Quai 2", "1201", "Genève", "CH" },
        { "FIELD_REQUIRED", "billing_address.street", "A", "", "1201", "Genève", "CH" },
        { "FIELD_REQUIRED", "billing_address.postal_code", "A", "Quai 2", null, "Genève", "CH" },
        { "FIELD_REQUIRED", "billing_address.city", "A", "Quai 2", "1201", " ", "CH" },
        { "FIELD_TOO_LONG", "billing_address.recipient", new string('r', 201), "Quai 2", "1201", "Genève", "CH" },
        { "FIELD_TOO_LONG", "billing_address.street", "A", new string('s', 201), "1201", "Genève", "CH" },
        { "FIELD_TOO_LONG", "billing_address.postal_code", "A", "Quai 2", new string('1', 201), "Genève", "CH" },
        { "FIELD_TOO_LONG", "billing_address.city", "A", "Quai 2", "1201", new string('c', 201), "CH" },
        { "FIELD_INVALID", "billing_address.recipient", "Accounts\npayable", "Quai 2", "1201", "Genève", "CH" },
        { "FIELD_INVALID", "billing_address.city", "A", "Quai 2", "1201", "Gen\u0007ve", "CH" },
        { "INVALID_COUNTRY", "billing_address.country", "A", "Quai 2", "1201", "Genève", null },
        { "INVALID_COUNTRY", "billing_address.country", "A", "Quai 2", "1201", "Genève", "" },
        { "INVALID_COUNTRY", "billing_address.country", "A", "Quai 2", "1201", "Genève", "XX" },
        { "INVALID_COUNTRY", "billing_address.country", "A", "Quai 2", "1201", "Genève", "CHE" },
    };

    [Theory]
    [Trait("Rule", "BIL-1")]
    [MemberData(nameof(RefusedAddresses))]
    public async Task AnInvalidAddress_IsRefusedOnItsField_AndNothingIsStored(string reason, string field, string? recipient, string? street, string? postalCode, string? city, string? country)
    {
        var w = await WorldAsync();

        var error = ResultAssert.Fails(await _h.Billing().AddAddressAsync(w.Owner, w.OrganizationId, recipient, street, postalCode, city, country), reason);

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(field, Assert.Single(error.Fields).Field);
        Assert.Empty(Stored());
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task AnAddressWithSeveralFaults_NamesEachField_TheFirstGivingTheReason()
    {
        var w = await WorldAsync();

        var error = ResultAssert.Fails(await _h.Billing().AddAddressAsync(w.Owner, w.OrganizationId, "", new string('s', 201), "1201", "Genève", "ZZ"), "FIELD_REQUIRED");

        Assert.Equal(["billing_address.recipient", "billing_address.street", "billing_address.country"], error.Fields.Select(f => f.Field));
        Assert.Equal(["FIELD_REQUIRED", "FIELD_TOO_LONG", "INVALID_COUNTRY"], error.Fields.Select(f => f.Reason));
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task FieldsOfExactlyTheLimit_AreAccepted()
    {
        var w = await WorldAsync();
        var limit = ContactDetails.MaxTextLength;
        Assert.Equal(200, limit);

        var added = (await AddAsync(w, new string('r', limit), new string('s', limit), new string('1', limit), new string('c', limit), "li")).Value;

        var stored = Stored(added.Id);
        Assert.Equal(limit, stored.Recipient.Length);
        Assert.Equal(limit, stored.Street.Length);
        Assert.Equal(limit, stored.PostalCode.Length);
        Assert.Equal(limit, stored.City.Length);
        Assert.Equal("LI", stored.Country);
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task UpdatingAnAddress_ChangesOnlyThatOne_AndBumpsItsETag()
    {
        var w = await WorldAsync();
        var first = (await AddAsync(w, recipient: "First")).Value;
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = (await AddAsync(w, recipient: "Second")).Value;

        var updated = (await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, second.Id, " Billing ", "Rue 3", "8000", "Zürich", "de")).Value;

        Assert.Equal(second.Id, updated.Id);
        Assert.Equal("W/\"2\"", updated.ETag);
        var stored = Stored(second.Id);
        Assert.Equal(("Billing", "Rue 3", "8000", "Zürich", "DE"), (stored.Recipient, stored.Street, stored.PostalCode, stored.City, stored.Country));
        Assert.Equal("First", Stored(first.Id).Recipient);
        var list = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId)).Value;
        Assert.Equal(["First", "Billing"], list.Skip(1).Select(a => a.Lines[0]));
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task AnInvalidUpdate_IsRefused_AndTheAddressStaysAsItWas()
    {
        var w = await WorldAsync();
        var added = (await AddAsync(w)).Value;

        var error = ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, "Billing", " ", "1201", "Genève", "CH"), "FIELD_REQUIRED");
        Assert.Equal("billing_address.street", Assert.Single(error.Fields).Field);
        ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => f with { Country = "QQ" }, null), "INVALID_COUNTRY");

        var stored = Stored(added.Id);
        Assert.Equal(("Accounts payable", "Quai 2", "CH"), (stored.Recipient, stored.Street, stored.Country));
        Assert.Equal("W/\"1\"", stored.ETag);
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    [Trait("Rule", "API-4")]
    public async Task AMaskedUpdate_StartsFromTheCurrentFields_AndAppliesWithoutOrWithTheCurrentETag()
    {
        var w = await WorldAsync();
        var added = (await AddAsync(w)).Value;
        AddressFields? seen = null;

        var masked = (await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => (seen = f) with { City = "Lausanne" }, null)).Value;

        Assert.Equal(new AddressFields("Accounts payable", "Quai 2", "1201", "Genève", "CH"), seen);
        Assert.Equal(("Accounts payable", "Lausanne"), (Stored(added.Id).Recipient, Stored(added.Id).City));
        Assert.Equal("W/\"2\"", masked.ETag);
        Assert.True((await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => f with { Street = "Quai 3" }, string.Empty)).IsSuccess);
        Assert.True((await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => f with { PostalCode = "1003" }, "W/\"3\"")).IsSuccess);
        Assert.Equal(("Quai 3", "1003", "W/\"4\""), (Stored(added.Id).Street, Stored(added.Id).PostalCode, Stored(added.Id).ETag));
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task AMaskedUpdateWithAStaleETag_IsAborted_AndChangesNothing()
    {
        var w = await WorldAsync();
        var added = (await AddAsync(w)).Value;
        await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => f with { City = "Lausanne" }, null);

        var error = ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, added.Id, f => f with { City = "Bern" }, "W/\"1\""), "ETAG_MISMATCH");

        Assert.Equal(ErrorKind.Aborted, error.Kind);
        Assert.Equal("Lausanne", Stored(added.Id).City);
        Assert.Equal("W/\"2\"", Stored(added.Id).ETag);
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task AnUnknownAddress_OrAnotherOrganizationsOne_IsNotFound_ForUpdateAndRemoval()
    {
        var w = await WorldAsync();
        var mine = (await AddAsync(w)).Value;
        var theirs = (await AddAsync(w, recipient: "Theirs", organizationId: w.OtherOrganizationId)).Value;

        foreach (var id in new[] { Guid.NewGuid(), theirs.Id })
        {
            var error = ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, id, "X", "Quai 2", "1201", "Genève", "CH"), "BILLING_ADDRESS_NOT_FOUND");
            Assert.Equal(ErrorKind.NotFound, error.Kind);
            ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(w.Owner, w.OrganizationId, id, f => f with { Recipient = "X" }, null), "BILLING_ADDRESS_NOT_FOUND");
            ResultAssert.Fails(await _h.Billing().RemoveAddressAsync(w.Owner, w.OrganizationId, id), "BILLING_ADDRESS_NOT_FOUND");
        }

        Assert.Equal("Theirs", Stored(theirs.Id).Recipient);
        Assert.Equal("Accounts payable", Stored(mine.Id).Recipient);
        Assert.Equal(2, Stored().Count);
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task RemovingAnAddress_RemovesOnlyThatOne_TheMainOneRemains_AndAnInvoiceKeepsItsLines()
    {
        var w = await WorldAsync();
        Assert.True((await _h.Wallets().TopUpAsync(w.Owner, w.OrganizationId, Money.FromTrusted(50_000, "CHF"), SimulatedPaymentGateway.Success, "fund")).IsSuccess);
        var first = (await AddAsync(w, recipient: "First")).Value;
        var second = (await AddAsync(w, recipient: "Second")).Value;
        var placed = (await _h.Orders().ConfirmAsync(w.Owner, w.OrganizationId, new Cart([new CartLine(ProductType.DomainName, "meier.ch", 12, false)], second.Id, null), BillingService.WalletMethod, "o1")).Value;

        Assert.True((await _h.Billing().RemoveAddressAsync(w.Owner, w.OrganizationId, second.Id)).IsSuccess);

        Assert.Equal([first.Id], Stored().Select(a => a.Id));
        var list = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId)).Value;
        Assert.Equal([null, first.Id], list.Select(a => a.Id));
        ResultAssert.Fails(await _h.Billing().RemoveAddressAsync(w.Owner, w.OrganizationId, second.Id), "BILLING_ADDRESS_NOT_FOUND");
        var invoice = (await _h.Billing().GetInvoiceAsync(w.Owner, w.OrganizationId, placed.Invoice.Id)).Value;
        Assert.StartsWith("Second\nQuai 2\n1201 Genève", invoice.BillingAddress, StringComparison.Ordinal);
        Assert.True((await _h.Billing().InvoicePdfAsync(w.Owner, w.OrganizationId, invoice.Id)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    [Trait("Rule", "API-4")]
    public async Task PagedList_WalksTheMainThenTheAddedOnesOldestFirst_WithoutRepeatOrLoss()
    {
        var w = await WorldAsync();
        var ids = new List<Guid?> { null };
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await AddAsync(w, recipient: $"R{i}")).Value.Id);
            _h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var walked = new List<Guid?>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId, 2, token)).Value;
            Assert.True(page.Items.Count <= 2);
            walked.AddRange(page.Items.Select(a => a.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(ids, walked);
        Assert.Equal(3, pages);
        var whole = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId, 0, null)).Value;
        Assert.Equal(ids, whole.Items.Select(a => a.Id));
        Assert.Equal(string.Empty, whole.NextPageToken);
        var exact = (await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId, 5, null)).Value;
        Assert.Equal(5, exact.Items.Count);
        Assert.Equal(string.Empty, exact.NextPageToken);
        ResultAssert.Fails(await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Billing().ListAddressesAsync(w.Owner, w.OrganizationId, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    [Trait("Rule", "BIL-1")]
    public async Task AMemberWithoutBillingRights_AndAStranger_NeitherSeeNorChangeAddresses()
    {
        var w = await WorldAsync();
        var added = (await AddAsync(w)).Value;

        foreach (var (user, reason) in new[] { (w.Tech, "BILLING_RIGHTS_REQUIRED"), (w.Stranger, "ORGANIZATION_NOT_FOUND") })
        {
            ResultAssert.Fails(await _h.Billing().ListAddressesAsync(user, w.OrganizationId), reason);
            ResultAssert.Fails(await _h.Billing().ListAddressesAsync(user, w.OrganizationId, 0, null), reason);
            ResultAssert.Fails(await _h.Billing().AddAddressAsync(user, w.OrganizationId, "X", "Quai 2", "1201", "Genève", "CH"), reason);
            ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(user, w.OrganizationId, added.Id, "X", "Quai 2", "1201", "Genève", "CH"), reason);
            ResultAssert.Fails(await _h.Billing().UpdateAddressAsync(user, w.OrganizationId, added.Id, f => f with { Recipient = "X" }, null), reason);
            ResultAssert.Fails(await _h.Billing().RemoveAddressAsync(user, w.OrganizationId, added.Id), reason);
        }

        Assert.Equal(added.Id, Assert.Single(Stored()).Id);
        Assert.Equal("Accounts payable", Stored(added.Id).Recipient);
        Assert.Equal("W/\"1\"", Stored(added.Id).ETag);
    }
}
