namespace Hosting.LoadDriver;

/// <summary>
/// The statements the host sends for a checkout paid from the wallet, a bank-transfer order confirmation and
/// the payment of an unpaid invoice (captured from EF Core's command log at Information level: run the load
/// driver with HOSTING_BENCH_HOST_SETTINGS set as HostProcess says), replayed by the raw references.
/// </summary>
internal static class HostSql
{
    // Read by every organization-scoped call.
    /// <summary>The caller: its session and its login's state, one join.</summary>
    public const string SessionWithLogin = @"SELECT ""s"".""Id"", ""s"".""AccountId"", ""s"".""CreatedAt"", ""s"".""DeviceId"", ""s"".""EndedAt"", ""s"".""ExpiresAt"", ""s"".""IpAddress"", ""s"".""LastUsedAt"", ""s"".""TokenDigest"", ""s"".""UserAgent"", ""a"".""LoginConfirmed"", ""a"".""CreatedAt"", ""a"".""Login"" FROM ""Sessions"" AS ""s"" INNER JOIN ""Accounts"" AS ""a"" ON ""s"".""AccountId"" = ""a"".""Id"" WHERE ""s"".""TokenDigest"" = @digest LIMIT 1";

    /// <summary>The organization with the caller's membership.</summary>
    public const string OrganizationWithMembership = @"SELECT ""o0"".""Id"", ""o0"".""CreatedAt"", ""o0"".""DeletedAt"", ""o0"".""LegalRepresentativeCount"", ""o0"".""MemberCount"", ""o0"".""Name"", ""o0"".""ProposalReplacesProposer"", ""o0"".""ProposedBy"", ""o0"".""ProposedLegalRepresentative"", ""o0"".""Version"", ""o0"".""ContactCity"", ""o0"".""ContactCompanyName"", ""o0"".""ContactCountry"", ""o0"".""ContactFirstName"", ""o0"".""ContactKind"", ""o0"".""ContactLastName"", ""o0"".""ContactPostalCode"", ""o0"".""ContactStreet"", ""o0"".""ContactVatNumber"", ""m0"".""OrganizationId"", ""m0"".""AccountId"", ""m0"".""HasBillingRights"", ""m0"".""IsAdministrator"", ""m0"".""IsLegalRepresentative"", ""m0"".""JoinedAt"", ""m0"".""OrganizationCreatedAt"", ""m0"".""ProductIds"" FROM ( SELECT ""o"".""Id"", ""o"".""CreatedAt"", ""o"".""DeletedAt"", ""o"".""LegalRepresentativeCount"", ""o"".""MemberCount"", ""o"".""Name"", ""o"".""ProposalReplacesProposer"", ""o"".""ProposedBy"", ""o"".""ProposedLegalRepresentative"", ""o"".""Version"", ""o"".""ContactCity"", ""o"".""ContactCompanyName"", ""o"".""ContactCountry"", ""o"".""ContactFirstName"", ""o"".""ContactKind"", ""o"".""ContactLastName"", ""o"".""ContactPostalCode"", ""o"".""ContactStreet"", ""o"".""ContactVatNumber"" FROM ""Organizations"" AS ""o"" WHERE ""o"".""DeletedAt"" IS NULL AND ""o"".""Id"" = @id LIMIT 1 ) AS ""o0"" LEFT JOIN ( SELECT ""m"".""OrganizationId"", ""m"".""AccountId"", ""m"".""HasBillingRights"", ""m"".""IsAdministrator"", ""m"".""IsLegalRepresentative"", ""m"".""JoinedAt"", ""m"".""OrganizationCreatedAt"", ""m"".""ProductIds"" FROM ""Memberships"" AS ""m"" WHERE ""m"".""AccountId"" = @accountId ) AS ""m0"" ON ""o0"".""Id"" = ""m0"".""OrganizationId"" ORDER BY ""o0"".""Id"", ""m0"".""OrganizationId""";


    // Read by the payments and orders.
    /// <summary>The answer already given under the request's id (WAL-5).</summary>
    public const string FindIdempotency = @"SELECT ""i"".""Key"", ""i"".""CreatedAt"", ""i"".""ErrorKind"", ""i"".""ErrorMessage"", ""i"".""ErrorReason"", ""i"".""Fingerprint"", ""i"".""ResultId"" FROM ""IdempotencyRecords"" AS ""i"" WHERE ""i"".""Key"" = @key LIMIT 1";

    /// <summary>A charge already under way under the request's id (WAL-7).</summary>
    public const string FindChargeAttempt = @"SELECT ""c"".""Key"", ""c"".""AmountMinor"", ""c"".""CreatedAt"", ""c"".""Currency"", ""c"".""Fingerprint"", ""c"".""GatewayReference"", ""c"".""Method"", ""c"".""OrganizationId"", ""c"".""Purpose"", ""c"".""State"", ""c"".""UpdatedAt"", ""c"".""Version"" FROM ""ChargeAttempts"" AS ""c"" WHERE ""c"".""Key"" = @key LIMIT 1";

    /// <summary>The catalogue's prices.</summary>
    public const string Catalogue = @"SELECT ""c"".""Type"", ""c"".""PeriodMonths"", ""c"".""Currency"", ""c"".""PriceMinor"", ""c"".""VatRateBasisPoints"" FROM ""CataloguePrices"" AS ""c""";

    /// <summary>The organization's unused free vouchers (BIL-9).</summary>
    public const string Vouchers = @"SELECT ""f"".""Id"", ""f"".""GrantedAt"", ""f"".""OrganizationId"", ""f"".""ProductType"", ""f"".""UsedOnInvoiceId"", ""f"".""Version"" FROM ""FreeVouchers"" AS ""f"" WHERE ""f"".""OrganizationId"" = @organizationId AND ""f"".""UsedOnInvoiceId"" IS NULL";

    /// <summary>The wallet in the invoice's currency.</summary>
    public const string Wallet = @"SELECT ""w"".""Id"", ""w"".""Balance"", ""w"".""CreatedAt"", ""w"".""Currency"", ""w"".""Held"", ""w"".""OrganizationId"", ""w"".""Version"" FROM ""Wallets"" AS ""w"" WHERE ""w"".""OrganizationId"" = @organizationId AND ""w"".""Currency"" = @currency LIMIT 1";

    /// <summary>The products a checkout renews.</summary>
    public const string ProductsByIds = @"SELECT ""p"".""Id"", ""p"".""AutoRenew"", ""p"".""CreatedAt"", ""p"".""Currency"", ""p"".""InvoiceId"", ""p"".""Name"", ""p"".""OrganizationId"", ""p"".""PeriodMonths"", ""p"".""PriceMinor"", ""p"".""RenewalDate"", ""p"".""RenewalPaymentMethod"", ""p"".""Status"", ""p"".""TerminatedAt"", ""p"".""Type"", ""p"".""Version"" FROM ""Products"" AS ""p"" WHERE ""p"".""OrganizationId"" = @organizationId AND ""p"".""Id"" = @ids1 ORDER BY ""p"".""CreatedAt"", ""p"".""Id"" LIMIT @p";

    /// <summary>The unpaid invoice a payment from "to pay" settles.</summary>
    public const string Invoice = @"SELECT ""i"".""Id"", ""i"".""BillingAddress"", ""i"".""CancelledAt"", ""i"".""Currency"", ""i"".""DueAt"", ""i"".""IssuedAt"", ""i"".""OrganizationId"", ""i"".""OrganizationName"", ""i"".""PaidAt"", ""i"".""PaymentMethod"", ""i"".""PaymentReference"", ""i"".""SequenceNumber"", ""i"".""State"", ""i"".""Version"", ""i"".""Lines"" FROM ""Invoices"" AS ""i"" WHERE ""i"".""Id"" = @id LIMIT 1";

    /// <summary>The products waiting for that invoice.</summary>
    public const string InvoiceProducts = @"SELECT ""p"".""Id"", ""p"".""AutoRenew"", ""p"".""CreatedAt"", ""p"".""Currency"", ""p"".""InvoiceId"", ""p"".""Name"", ""p"".""OrganizationId"", ""p"".""PeriodMonths"", ""p"".""PriceMinor"", ""p"".""RenewalDate"", ""p"".""RenewalPaymentMethod"", ""p"".""Status"", ""p"".""TerminatedAt"", ""p"".""Type"", ""p"".""Version"" FROM ""Products"" AS ""p"" WHERE ""p"".""InvoiceId"" = @invoiceId";


    // Written.
    /// <summary>An event of the feed (EVT-1), one per change.</summary>
    public const string InsertEvent = @"INSERT INTO ""Events"" (""Data"", ""Id"", ""OccurredAt"", ""OrganizationId"", ""Resource"", ""Type"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5) RETURNING ""Position"", ""Transaction"";";

    /// <summary>The answer kept under the request's id.</summary>
    public const string InsertIdempotency = @"INSERT INTO ""IdempotencyRecords"" (""Key"", ""CreatedAt"", ""ErrorKind"", ""ErrorMessage"", ""ErrorReason"", ""Fingerprint"", ""ResultId"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6);";

    /// <summary>The final invoice, paid or unpaid (BIL-5), under its number.</summary>
    public const string InsertInvoice = @"INSERT INTO ""Invoices"" (""Lines"", ""Id"", ""BillingAddress"", ""CancelledAt"", ""Currency"", ""DueAt"", ""IssuedAt"", ""OrganizationId"", ""OrganizationName"", ""PaidAt"", ""PaymentMethod"", ""PaymentReference"", ""SequenceNumber"", ""State"", ""Version"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14);";

    /// <summary>A product of an order, pending until its invoice is paid (ORD-3).</summary>
    public const string InsertProduct = @"INSERT INTO ""Products"" (""Id"", ""AutoRenew"", ""CreatedAt"", ""Currency"", ""InvoiceId"", ""Name"", ""OrganizationId"", ""PeriodMonths"", ""PriceMinor"", ""RenewalDate"", ""RenewalPaymentMethod"", ""Status"", ""TerminatedAt"", ""Type"", ""Version"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14);";

    /// <summary>The unpaid invoice, paid.</summary>
    public const string MarkInvoicePaid = @"UPDATE ""Invoices"" SET ""PaidAt"" = @p0, ""PaymentMethod"" = @p1, ""PaymentReference"" = @p2, ""State"" = @p3, ""Version"" = @p4 WHERE ""Id"" = @p5 AND ""Version"" = @p6 RETURNING 1;";

    /// <summary>The ledger transaction of a payment (WAL-2).</summary>
    public const string InsertTransaction = @"INSERT INTO ""LedgerTransactions"" (""Id"", ""At"", ""Currency"", ""Kind"", ""Reference"", ""WalletId"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5);";

    /// <summary>One of its entries.</summary>
    public const string InsertEntry = @"INSERT INTO ""LedgerEntries"" (""Line"", ""TransactionId"", ""Account"", ""Amount"") VALUES (@p0, @p1, @p2, @p3);";

    /// <summary>A product renewed by a checkout.</summary>
    public const string RenewProduct = @"UPDATE ""Products"" SET ""RenewalDate"" = @p0, ""Version"" = @p1 WHERE ""Id"" = @p2 AND ""Version"" = @p3 RETURNING 1;";

    /// <summary>A pending product, active once its invoice is paid.</summary>
    public const string ActivateProduct = @"UPDATE ""Products"" SET ""RenewalDate"" = @p0, ""Status"" = @p1, ""Version"" = @p2 WHERE ""Id"" = @p3 AND ""Version"" = @p4 RETURNING 1;";

    /// <summary>The wallet's balance.</summary>
    public const string UpdateWallet = @"UPDATE ""Wallets"" SET ""Balance"" = @p0, ""Version"" = @p1 WHERE ""Id"" = @p2 AND ""Version"" = @p3 RETURNING 1;";

    /// <summary>The next invoice number (BIL-5), gapless: on SQLite the write transaction's first statement.</summary>
    public const string TakeNumber = @"INSERT INTO ""InvoiceSequence"" (""Id"", ""Last"", ""Version"") VALUES (@p0, 1, 1) ON CONFLICT (""Id"") DO UPDATE SET ""Last"" = ""Last"" + 1, ""Version"" = ""Version"" + 1 RETURNING ""Last"" AS ""Value""";
}
