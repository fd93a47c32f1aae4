using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class BillingTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private sealed record Setup(AuthenticatedUser Owner, Guid OrganizationId, Guid Hosting, Guid Domain);

    private async Task<Setup> SetUpAsync(long walletBalance = 0)
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;
        var hosting = AddProduct(id, ProductType.WebHosting, "meier.ch hosting", activeUntil: null);
        var domain = AddProduct(id, ProductType.DomainName, "meier.ch", activeUntil: _h.Clock.GetUtcNow().AddDays(10));
        if (walletBalance > 0)
        {
            Assert.True((await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(walletBalance, "CHF"), SimulatedPaymentGateway.Success, "fund")).IsSuccess);
        }

        return new Setup(owner, id, hosting, domain);
    }

    private Guid AddProduct(Guid organizationId, ProductType type, string name, DateTimeOffset? activeUntil) =>
        _h.AddProduct(organizationId, type, name, activeUntil).Id;

    private static CheckoutOrder Order(IEnumerable<Guid> products, string method = BillingService.WalletMethod, string? promotion = null, IEnumerable<Guid>? vouchers = null, Guid? address = null, string? requestId = null) =>
        BillingWorld.Checkout(products, requestId ?? Guid.NewGuid().ToString("N"), address, method, promotion, vouchers);

    private Product ProductRow(Guid id) => _h.Query(db => db.Set<Product>().Single(p => p.Id == id));

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    [Theory]
    [Trait("Rule", "BIL-10")]
    [InlineData(5, 810, 0)]
    [InlineData(7, 810, 1)]
    [InlineData(9_600, 810, 778)]
    [InlineData(61, 810, 5)]
    [InlineData(62, 810, 5)]
    [InlineData(0, 810, 0)]
    [InlineData(1_500, 10_000, 1_500)]
    public void VatAndPercentDiscounts_RoundHalfUpToTheMinorUnit(long amount, int basisPoints, long expected) =>
        Assert.Equal(expected, Rounding.OfBasisPoints(amount, basisPoints));

    [Fact]
    [Trait("Rule", "BIL-10")]
    public void Rounding_RefusesNegativeAmounts_AndOverflow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Rounding.OfBasisPoints(-1, 810));
        Assert.Throws<OverflowException>(() => Rounding.OfBasisPoints(long.MaxValue / 100, 810));
    }

    [Fact]
    [Trait("Rule", "BIL-1")]
    public async Task BillingAddresses_MainFirst_AddEditRemove_AndTheChosenOneIsOnTheInvoice()
    {
        var s = await SetUpAsync(walletBalance: 100_000);
        var added = (await _h.Billing().AddAddressAsync(s.Owner, s.OrganizationId, "Accounting, Meier Web", "Quai 2", "1201", "Genève", "ch")).Value;
        await _h.Billing().UpdateAddressAsync(s.Owner, s.OrganizationId, added.Id, "Accounts payable", "Quai 2", "1201", "Genève", "CH");

        var list = (await _h.Billing().ListAddressesAsync(s.Owner, s.OrganizationId)).Value;
        Assert.True(list[0].IsMain);
        Assert.Equal("Accounts payable", list[1].Lines[0]);

        var invoice = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], address: added.Id))).Value;
        Assert.StartsWith("Accounts payable\nQuai 2\n1201 Genève", invoice.BillingAddress, StringComparison.Ordinal);

        Assert.True((await _h.Billing().RemoveAddressAsync(s.Owner, s.OrganizationId, added.Id)).IsSuccess);
        Assert.True(Assert.Single((await _h.Billing().ListAddressesAsync(s.Owner, s.OrganizationId)).Value).IsMain);
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], address: added.Id)), "BILLING_ADDRESS_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    public async Task Billing_NeedsBillingRights()
    {
        var s = await SetUpAsync();
        var invitation = (await _h.Organizations().InviteAsync(s.Owner, s.OrganizationId, "tech@example.com", MemberRights.Full with { Billing = false })).Value;
        var tech = await _h.UserAsync("tech@example.com");
        await _h.Organizations().AcceptInvitationAsync(tech, invitation.Id);

        ResultAssert.Fails(await _h.Billing().ToPayAsync(tech, s.OrganizationId), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(tech, s.OrganizationId, Order([s.Domain])), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Billing().ListInvoicesAsync(tech, s.OrganizationId, 0, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Billing().ListAddressesAsync(tech, s.OrganizationId), "BILLING_RIGHTS_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "BIL-3")]
    public async Task ToPay_ListsProductsAwaitingPaymentAndDueSoon_NotLaterOnes()
    {
        var s = await SetUpAsync();
        var later = AddProduct(s.OrganizationId, ProductType.KSuite, "kSuite", activeUntil: _h.Clock.GetUtcNow().AddDays(200));

        var due = (await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId)).Value.Select(i => i.Product.Id).ToList();

        Assert.Equal([s.Hosting, s.Domain], due);
        Assert.DoesNotContain(later, due);
    }

    [Fact]
    [Trait("Rule", "BIL-4")]
    public async Task ProForma_SaysItHasNoLegalValue_AndChangesNothing()
    {
        var s = await SetUpAsync(walletBalance: 100_000);

        var proForma = (await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain]))).Value;

        Assert.StartsWith("PF-", proForma.Number, StringComparison.Ordinal);
        Assert.Contains("no legal, tax or accounting value", proForma.Document.Notice, StringComparison.Ordinal);
        Assert.Equal(9_600 + 778 + 1_500 + 122, proForma.Quote.TotalMinor);
        Assert.Equal(0, _h.Query(db => db.Set<Invoice>().Count()));
        Assert.Null(_h.Query(db => db.Set<InvoiceSequence>().FirstOrDefault()));
        Assert.Equal(ProductStatus.AwaitingPayment, ProductRow(s.Hosting).Status);
        Assert.Equal(100_000, Balance(s.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "BIL-6")]
    public async Task Checkout_FromTheWallet_IssuesTheFinalInvoice_RenewsAndDebitsTogether()
    {
        var s = await SetUpAsync(walletBalance: 100_000);
        var domainDue = ProductRow(s.Domain).RenewalDate!.Value;

        var invoice = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain]))).Value;

        Assert.Equal("00000001", invoice.Number);
        Assert.Equal(12_000, invoice.TotalMinor);
        Assert.Equal(100_000 - 12_000, Balance(s.OrganizationId));
        Assert.Equal(ProductStatus.Active, ProductRow(s.Hosting).Status);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(12), ProductRow(s.Hosting).RenewalDate);
        Assert.Equal(domainDue.AddMonths(12), ProductRow(s.Domain).RenewalDate);
        Assert.Empty(await _h.Auditor().AuditAsync());
        Assert.Equal("00000002", (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain]))).Value.Number);
    }

    [Theory]
    [Trait("Rule", "BIL-6")]
    [InlineData(BillingService.WalletMethod, "INSUFFICIENT_FUNDS")]
    [InlineData(SimulatedPaymentGateway.Decline, "PAYMENT_DECLINED")]
    [InlineData(SimulatedPaymentGateway.Timeout, "PAYMENT_GATEWAY_TIMEOUT")]
    public async Task AFailedPayment_ChangesNothing(string method, string reason)
    {
        var s = await SetUpAsync(walletBalance: 1_000);
        await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "SPRING", 1_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 5, [], 0, false));

        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting], method, promotion: "spring")), reason);

        Assert.Equal(0, _h.Query(db => db.Set<Invoice>().Count()));
        Assert.Equal(ProductStatus.AwaitingPayment, ProductRow(s.Hosting).Status);
        Assert.Equal(1_000, Balance(s.OrganizationId));
        Assert.Equal(0, _h.Query(db => db.Set<PromotionCode>().Single().Redemptions));
        Assert.Equal(1, (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], SimulatedPaymentGateway.Success))).Value.SequenceNumber);
    }

    [Fact]
    [Trait("Rule", "BIL-6")]
    public async Task Checkout_RetriedWithTheSameRequestId_ChargesAndIssuesOnce()
    {
        var s = await SetUpAsync(walletBalance: 100_000);

        var first = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting], requestId: "cart-1"))).Value;
        var again = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting], requestId: "cart-1"))).Value;

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(100_000 - 10_378, Balance(s.OrganizationId));
        Assert.Equal(1, _h.Query(db => db.Set<Invoice>().Count()));
    }

    [Fact]
    [Trait("Rule", "BIL-8")]
    public async Task PromotionCode_IsCheckedAndApplied_AndEachRefusalSaysWhy()
    {
        var s = await SetUpAsync(walletBalance: 200_000);
        var other = (await _h.Organizations().CreateAsync(s.Owner, Contacts.Person)).Value.Organization.Id;
        var start = AccountsHarness.Start;
        async Task Code(string code, int percent, long amount, DateTimeOffset from, DateTimeOffset until, int max, ProductType[] types, long minimum, bool once) =>
            Assert.True((await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), code, percent, amount, "CHF", from, until, max, types, minimum, once))).IsSuccess);
        await Code("HALF", 5_000, 0, start, start.AddDays(30), 10, [ProductType.WebHosting], 0, true);
        await Code("LATER", 1_000, 0, start.AddDays(5), start.AddDays(30), 10, [], 0, false);
        await Code("OLD", 1_000, 0, start.AddDays(-30), start, 10, [], 0, false);
        await Code("ONCE", 1_000, 0, start, start.AddDays(30), 1, [], 0, false);
        await Code("BIG", 1_000, 0, start, start.AddDays(30), 10, [], 50_000, false);
        static string Why(DomainError refusal) => Assert.Single(refusal.Fields, f => f.Field == "promotion_code").Description;

        Assert.Equal("This promotion code does not exist.", Why(ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "NOPE")), "PROMOTION_CODE_UNKNOWN")));
        Assert.Equal("This promotion code is not valid yet.", Why(ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "LATER")), "PROMOTION_CODE_NOT_YET_VALID")));
        Assert.Equal("This promotion code has expired.", Why(ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "OLD")), "PROMOTION_CODE_EXPIRED")));
        Assert.Equal("This promotion code does not apply to the products in the order.", Why(ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Domain], promotion: "HALF")), "PROMOTION_CODE_NOT_APPLICABLE")));
        Assert.Equal("The order is below this promotion code's minimum amount.", Why(ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "BIG")), "PROMOTION_CODE_MINIMUM_NOT_MET")));
        await Code("EXACT", 1_000, 0, start, start.AddDays(30), 10, [], 9_600, false);
        Assert.True((await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "EXACT"))).IsSuccess);
        // The minimum counts the whole order, not its dearest item.
        var hostingAndDomain = _h.Query(db => db.Set<Product>().Where(p => p.Id == s.Hosting || p.Id == s.Domain).Sum(p => p.PriceMinor));
        await Code("TOGETHER", 1_000, 0, start, start.AddDays(30), 10, [], hostingAndDomain, false);
        Assert.True((await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain], promotion: "TOGETHER"))).IsSuccess);
        async Task Euro(string code, long amount, long minimum) =>
            Assert.True((await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), code, amount > 0 ? 0 : 1_000, amount, "EUR", start, start.AddDays(30), 10, [], minimum, false))).IsSuccess);
        await Euro("EUROS-OFF", 500, 0);
        await Euro("EURO-MINIMUM", 0, 100);
        // A percent off without a minimum applies in any currency.
        await Euro("EURO-PERCENT", 0, 0);
        Assert.True((await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "EURO-PERCENT"))).IsSuccess);
        ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "EUROS-OFF")), "PROMOTION_CODE_NOT_APPLICABLE");
        ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "EURO-MINIMUM")), "PROMOTION_CODE_MINIMUM_NOT_MET");

        var half = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain], promotion: "half"))).Value;
        var hostingLine = half.Lines.Single(l => l.ProductId == s.Hosting);
        Assert.Equal(4_800, hostingLine.DiscountMinor);
        Assert.Equal(389, hostingLine.VatMinor);
        Assert.Equal(0, half.Lines.Single(l => l.ProductId == s.Domain).DiscountMinor);
        Assert.Equal(half.Lines.Sum(l => l.NetMinor - l.DiscountMinor), half.SubtotalMinor);
        Assert.Equal(half.Lines.Sum(l => l.VatMinor), half.VatMinor);
        Assert.All(half.Lines, l => Assert.True(l.VatMinor > 0 && l.NetMinor > l.DiscountMinor));
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting], promotion: "HALF")), "PROMOTION_CODE_ALREADY_USED");

        Assert.True((await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], promotion: "ONCE"))).IsSuccess);
        ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, other, Order([AddProduct(other, ProductType.KSuite, "k", null)], promotion: "ONCE")), "PROMOTION_CODE_EXHAUSTED");
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public async Task AmountDiscountLargerThanTheLine_IsCappedAtTheLine_AndAFullDiscountHasNoVat()
    {
        var s = await SetUpAsync(walletBalance: 100_000);
        await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "HUGE", 0, 1_000_000, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(1), 5, [], 0, false));

        var quote = (await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain], promotion: "HUGE"))).Value.Quote;

        Assert.All(quote.Lines, l => Assert.Equal(l.NetMinor, l.DiscountMinor));
        Assert.Equal(0, quote.VatMinor);
        Assert.Equal(0, quote.TotalMinor);
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public async Task ManyLines_AddUpTheirRoundedVat()
    {
        var s = await SetUpAsync();
        var ids = Enumerable.Range(0, 25).Select(i => AddProduct(s.OrganizationId, ProductType.DomainName, $"d{i}.ch", null)).ToList();
        await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.DomainName, 7, "CHF", 12, 810));

        var quote = (await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order(ids))).Value.Quote;

        Assert.Equal(25 * 7, quote.SubtotalMinor);
        Assert.Equal(25 * 1, quote.VatMinor);
        Assert.Equal(quote.Lines.Sum(l => l.TotalMinor), quote.TotalMinor);
    }

    [Fact]
    [Trait("Rule", "BIL-9")]
    public async Task Voucher_IsOfferedOnMatchingLinesOnly_UsedOnce_AndOnlyByItsOrganization()
    {
        var s = await SetUpAsync(walletBalance: 100_000);
        var other = (await _h.Organizations().CreateAsync(s.Owner, Contacts.Person)).Value.Organization.Id;
        var otherDomain = AddProduct(other, ProductType.DomainName, "other.ch", null);
        await _h.BillingAdmin().GrantVoucherAsync(s.OrganizationId, ProductType.DomainName);

        var offer = (await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain]))).Value.Quote;
        Assert.Equal([s.Domain], offer.VouchersOffered);
        Assert.Empty((await _h.Billing().ProFormaAsync(s.Owner, other, Order([otherDomain]))).Value.Quote.VouchersOffered);
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, other, Order([otherDomain], vouchers: [otherDomain])), "VOUCHER_NOT_AVAILABLE");
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting], vouchers: [s.Hosting])), "VOUCHER_NOT_AVAILABLE");

        var invoice = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], vouchers: [s.Domain]))).Value;
        Assert.Equal(0, invoice.TotalMinor);
        Assert.Equal("voucher", Assert.Single(invoice.Lines).DiscountSource);
        Assert.Empty((await _h.Billing().ListVouchersAsync(s.Owner, s.OrganizationId)).Value);
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], vouchers: [s.Domain])), "VOUCHER_NOT_AVAILABLE");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task CreditNotes_CorrectAnInvoiceThatNeverChanges_NumberedApart_UpToItsTotal()
    {
        var s = await SetUpAsync(walletBalance: 20_000);
        var invoice = (await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting]))).Value;

        var first = (await _h.Billing().IssueCreditNoteAsync(s.OrganizationId, invoice.Id, 4_000, "Hosting down two weeks", refundToWallet: true)).Value;
        var second = (await _h.Billing().IssueCreditNoteAsync(s.OrganizationId, invoice.Id, 6_378, "Cancelled", refundToWallet: false)).Value;

        Assert.Equal(["CN00000001", "CN00000002"], new[] { first.Number, second.Number });
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(s.OrganizationId, invoice.Id, 1, "One more", false), "CREDIT_EXCEEDS_INVOICE");
        var unchanged = (await _h.Billing().GetInvoiceAsync(s.Owner, s.OrganizationId, invoice.Id)).Value;
        Assert.Equal(invoice.TotalMinor, unchanged.TotalMinor);
        Assert.Equal("00000001", unchanged.Number);
        Assert.Equal(20_000 - 10_378 + 4_000, Balance(s.OrganizationId));
        Assert.Empty(await _h.Auditor().AuditAsync());
        Assert.Equal(2, (await _h.Billing().ListCreditNotesAsync(s.Owner, s.OrganizationId, 50, null)).Value.Items.Count);
    }

    [Fact]
    [Trait("Rule", "BIL-7")]
    public async Task AutomaticRenewal_PaysFromThePreference_OrLeavesItToPayAndNotifiesBillingMembersOnce()
    {
        var s = await SetUpAsync(walletBalance: 1_700);
        var kSuite = AddProduct(s.OrganizationId, ProductType.KSuite, "kSuite", _h.Clock.GetUtcNow().AddDays(3));
        Assert.True((await _h.Billing().SetAutoRenewalAsync(s.Owner, s.OrganizationId, s.Domain, true, BillingService.WalletMethod)).IsSuccess);
        Assert.True((await _h.Billing().SetAutoRenewalAsync(s.Owner, s.OrganizationId, kSuite, true, BillingService.WalletMethod)).IsSuccess);
        ResultAssert.Fails(await _h.Billing().SetAutoRenewalAsync(s.Owner, s.OrganizationId, kSuite, true, "cash"), "UNKNOWN_PAYMENT_METHOD");

        _h.Clock.Advance(TimeSpan.FromDays(11));
        var renewed = await _h.Billing().RunRenewalsAsync();
        await _h.Billing().RunRenewalsAsync();

        Assert.Equal(1, renewed);
        Assert.True(ProductRow(s.Domain).RenewalDate > _h.Clock.GetUtcNow());
        Assert.Contains(kSuite, (await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId)).Value.Select(i => i.Product.Id));
        var notices = _h.Outbox().Where(m => m.Kind == "renewal-failed").ToList();
        Assert.Equal("owner@example.com", Assert.Single(notices).Recipient);
        Assert.Equal(1, _h.Query(db => db.Set<Invoice>().Count()));
    }

    [Fact]
    [Trait("Rule", "BIL-7")]
    public async Task AutomaticRenewal_TakesACardTheGatewayKnows_AndOnlyABillingMemberSetsIt_OnTheirOwnProducts()
    {
        var s = await SetUpAsync();
        var stranger = await _h.UserAsync("stranger@example.com");

        var byCard = await _h.Billing().SetAutoRenewalAsync(s.Owner, s.OrganizationId, s.Domain, true, SimulatedPaymentGateway.Success);

        Assert.True(byCard.IsSuccess, byCard.Error?.Reason);
        Assert.Equal((true, SimulatedPaymentGateway.Success), (ProductRow(s.Domain).AutoRenew, ProductRow(s.Domain).RenewalPaymentMethod));
        ResultAssert.Fails(await _h.Billing().SetAutoRenewalAsync(stranger, s.OrganizationId, s.Domain, false, null), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Billing().SetAutoRenewalAsync(s.Owner, s.OrganizationId, Guid.NewGuid(), false, null), "PRODUCT_NOT_FOUND");
        Assert.True(ProductRow(s.Domain).AutoRenew);
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task OrganizationDeletion_ReadsBilling_AndCanSendThePaidInvoiceNumbers()
    {
        var s = await SetUpAsync(walletBalance: 12_000);
        await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain]));
        foreach (var product in new[] { s.Hosting, s.Domain })
        {
            await _h.Organizations().TerminateProductAsync(s.Owner, s.OrganizationId, product);
        }

        var db = _h.NewDb();
        _h.Finances = new BillingFinances(new WalletFinances(new Hosting.Persistence.Stores.EfWalletStore(db)), new Hosting.Persistence.Stores.EfBillingStore(db));

        Assert.True((await _h.Organizations().DeleteAsync(s.Owner, s.OrganizationId, emailPaidInvoices: true)).IsSuccess);
        Assert.Contains(_h.Outbox(), m => m.Kind == "organization-deleted-invoices" && m.Body.Contains("00000001", StringComparison.Ordinal));
    }
}
