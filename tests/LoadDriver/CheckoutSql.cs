namespace Hosting.LoadDriver;

/// <summary>
/// The statements the host sends for one checkout paid from the wallet (captured from EF Core's
/// command log at Information level, in this order), replayed by the raw references.
/// </summary>
internal static class CheckoutSql
{
    public const string Session = @"SELECT ""s"".""Id"", ""s"".""AccountId"", ""s"".""CreatedAt"", ""s"".""DeviceId"", ""s"".""EndedAt"", ""s"".""ExpiresAt"", ""s"".""IpAddress"", ""s"".""TokenDigest"", ""s"".""UserAgent"" FROM ""Sessions"" AS ""s"" WHERE ""s"".""TokenDigest"" = @tokenDigest LIMIT 1";

    public const string Organization = @"SELECT ""o0"".""Id"", ""o0"".""CreatedAt"", ""o0"".""DeletedAt"", ""o0"".""Name"", ""o0"".""ProposalReplacesProposer"", ""o0"".""ProposedBy"", ""o0"".""ProposedLegalRepresentative"", ""o0"".""Version"", ""o0"".""ContactCity"", ""o0"".""ContactCompanyName"", ""o0"".""ContactCountry"", ""o0"".""ContactFirstName"", ""o0"".""ContactKind"", ""o0"".""ContactLastName"", ""o0"".""ContactPostalCode"", ""o0"".""ContactStreet"", ""o0"".""ContactVatNumber"", ""m"".""OrganizationId"", ""m"".""AccountId"", ""m"".""HasBillingRights"", ""m"".""IsAdministrator"", ""m"".""IsLegalRepresentative"", ""m"".""JoinedAt"", ""m"".""ProductIds"" FROM ( SELECT ""o"".""Id"", ""o"".""CreatedAt"", ""o"".""DeletedAt"", ""o"".""Name"", ""o"".""ProposalReplacesProposer"", ""o"".""ProposedBy"", ""o"".""ProposedLegalRepresentative"", ""o"".""Version"", ""o"".""ContactCity"", ""o"".""ContactCompanyName"", ""o"".""ContactCountry"", ""o"".""ContactFirstName"", ""o"".""ContactKind"", ""o"".""ContactLastName"", ""o"".""ContactPostalCode"", ""o"".""ContactStreet"", ""o"".""ContactVatNumber"" FROM ""Organizations"" AS ""o"" WHERE ""o"".""DeletedAt"" IS NULL AND ""o"".""Id"" = @id LIMIT 1 ) AS ""o0"" LEFT JOIN ""Memberships"" AS ""m"" ON ""o0"".""Id"" = ""m"".""OrganizationId"" ORDER BY ""o0"".""Id"", ""m"".""OrganizationId""";

    public const string FindIdempotency = @"SELECT ""i"".""Key"", ""i"".""CreatedAt"", ""i"".""ErrorKind"", ""i"".""ErrorMessage"", ""i"".""ErrorReason"", ""i"".""Fingerprint"", ""i"".""ResultId"" FROM ""IdempotencyRecords"" AS ""i"" WHERE ""i"".""Key"" = @key LIMIT 1";

    public const string Products = @"SELECT ""p"".""Id"", ""p"".""AutoRenew"", ""p"".""CreatedAt"", ""p"".""Currency"", ""p"".""Name"", ""p"".""OrganizationId"", ""p"".""PriceMinor"", ""p"".""RenewalDate"", ""p"".""RenewalPaymentMethod"", ""p"".""Status"", ""p"".""TerminatedAt"", ""p"".""Type"", ""p"".""Version"" FROM ""Products"" AS ""p"" WHERE ""p"".""OrganizationId"" = @organizationId";

    public const string Catalogue = @"SELECT ""c"".""Type"", ""c"".""Currency"", ""c"".""PeriodMonths"", ""c"".""PriceMinor"", ""c"".""VatRateBasisPoints"" FROM ""CataloguePrices"" AS ""c""";

    public const string Vouchers = @"SELECT ""f"".""Id"", ""f"".""GrantedAt"", ""f"".""OrganizationId"", ""f"".""ProductType"", ""f"".""UsedOnInvoiceId"", ""f"".""Version"" FROM ""FreeVouchers"" AS ""f"" WHERE ""f"".""OrganizationId"" = @organizationId AND ""f"".""UsedOnInvoiceId"" IS NULL";

    public const string Wallet = @"SELECT ""w"".""Id"", ""w"".""Balance"", ""w"".""CreatedAt"", ""w"".""Currency"", ""w"".""Held"", ""w"".""OrganizationId"", ""w"".""Version"" FROM ""Wallets"" AS ""w"" WHERE ""w"".""OrganizationId"" = @organizationId AND ""w"".""Currency"" = @currency LIMIT 1";

    public const string InsertIdempotency = @"INSERT INTO ""IdempotencyRecords"" (""Key"", ""CreatedAt"", ""ErrorKind"", ""ErrorMessage"", ""ErrorReason"", ""Fingerprint"", ""ResultId"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6);";

    public const string InsertInvoice = @"INSERT INTO ""Invoices"" (""Lines"", ""Id"", ""BillingAddress"", ""Currency"", ""IssuedAt"", ""OrganizationId"", ""OrganizationName"", ""PaymentMethod"", ""PaymentReference"", ""SequenceNumber"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9);";

    public const string InsertTransaction = @"INSERT INTO ""LedgerTransactions"" (""Id"", ""At"", ""Currency"", ""Kind"", ""Reference"", ""WalletId"") VALUES (@p0, @p1, @p2, @p3, @p4, @p5);";

    public const string UpdateProduct = @"UPDATE ""Products"" SET ""RenewalDate"" = @p0, ""Status"" = @p1, ""Version"" = @p2 WHERE ""Id"" = @p3 AND ""Version"" = @p4 RETURNING 1;";

    public const string UpdateWallet = @"UPDATE ""Wallets"" SET ""Balance"" = @p0, ""Version"" = @p1 WHERE ""Id"" = @p2 AND ""Version"" = @p3 RETURNING 1;";

    public const string InsertEntry = @"INSERT INTO ""LedgerEntries"" (""Line"", ""TransactionId"", ""Account"", ""Amount"") VALUES (@p0, @p1, @p2, @p3);";

    public const string TakeNumber = @"INSERT INTO ""InvoiceSequence"" (""Id"", ""Last"", ""Version"") VALUES (@p0, 1, 1) ON CONFLICT (""Id"") DO UPDATE SET ""Last"" = ""Last"" + 1, ""Version"" = ""Version"" + 1 RETURNING ""Last"" AS ""Value""";

    public const string NumberInvoice = @"UPDATE ""Invoices"" SET ""SequenceNumber"" = @p0 WHERE ""Id"" = @p1";
}
