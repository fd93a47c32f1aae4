using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LargeOrganizations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Sessions_AccountId_CreatedAt",
                table: "Sessions");

            migrationBuilder.DropIndex(
                name: "IX_Products_OrganizationId",
                table: "Products");

            migrationBuilder.DropIndex(
                name: "IX_Memberships_AccountId",
                table: "Memberships");

            migrationBuilder.DropIndex(
                name: "IX_Mailboxes_MailServiceId",
                table: "Mailboxes");

            migrationBuilder.DropIndex(
                name: "IX_LedgerTransactions_WalletId_At",
                table: "LedgerTransactions");

            migrationBuilder.DropIndex(
                name: "IX_Invoices_OrganizationId_IssuedAt",
                table: "Invoices");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_Email",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_OrganizationId",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_FreeVouchers_OrganizationId",
                table: "FreeVouchers");

            migrationBuilder.DropIndex(
                name: "IX_ActivityEntries_AccountId_At",
                table: "ActivityEntries");

            migrationBuilder.AddColumn<int>(
                name: "LegalRepresentativeCount",
                table: "Organizations",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "MemberCount",
                table: "Organizations",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "OrganizationCreatedAt",
                table: "Memberships",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Counts and the denormalized creation time start from the rows already there.
            migrationBuilder.Sql(
                """
                UPDATE "Organizations" SET
                    "MemberCount" = (SELECT COUNT(*) FROM "Memberships" m WHERE m."OrganizationId" = "Organizations"."Id"),
                    "LegalRepresentativeCount" = (SELECT COUNT(*) FROM "Memberships" m WHERE m."OrganizationId" = "Organizations"."Id" AND m."IsLegalRepresentative");
                UPDATE "Memberships" SET
                    "OrganizationCreatedAt" = (SELECT o."CreatedAt" FROM "Organizations" o WHERE o."Id" = "Memberships"."OrganizationId");
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_AccountId_CreatedAt_Id",
                table: "Sessions",
                columns: new[] { "AccountId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Products_OrganizationId_CreatedAt_Id",
                table: "Products",
                columns: new[] { "OrganizationId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Products_OrganizationId_Status_RenewalDate_Id",
                table: "Products",
                columns: new[] { "OrganizationId", "Status", "RenewalDate", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Memberships_AccountId_OrganizationCreatedAt_OrganizationId",
                table: "Memberships",
                columns: new[] { "AccountId", "OrganizationCreatedAt", "OrganizationId" });

            migrationBuilder.CreateIndex(
                name: "IX_Memberships_OrganizationId_JoinedAt_AccountId",
                table: "Memberships",
                columns: new[] { "OrganizationId", "JoinedAt", "AccountId" });

            migrationBuilder.CreateIndex(
                name: "IX_Mailboxes_MailServiceId_CreatedAt_Id",
                table: "Mailboxes",
                columns: new[] { "MailServiceId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_LedgerTransactions_WalletId_At_Id",
                table: "LedgerTransactions",
                columns: new[] { "WalletId", "At", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_OrganizationId_IssuedAt_Id",
                table: "Invoices",
                columns: new[] { "OrganizationId", "IssuedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_Email_CreatedAt_Id",
                table: "Invitations",
                columns: new[] { "Email", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_OrganizationId_CreatedAt_Id",
                table: "Invitations",
                columns: new[] { "OrganizationId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_FreeVouchers_OrganizationId_GrantedAt_Id",
                table: "FreeVouchers",
                columns: new[] { "OrganizationId", "GrantedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CreditNotes_OrganizationId_IssuedAt_Id",
                table: "CreditNotes",
                columns: new[] { "OrganizationId", "IssuedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ActivityEntries_AccountId_At_Id",
                table: "ActivityEntries",
                columns: new[] { "AccountId", "At", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Sessions_AccountId_CreatedAt_Id",
                table: "Sessions");

            migrationBuilder.DropIndex(
                name: "IX_Products_OrganizationId_CreatedAt_Id",
                table: "Products");

            migrationBuilder.DropIndex(
                name: "IX_Products_OrganizationId_Status_RenewalDate_Id",
                table: "Products");

            migrationBuilder.DropIndex(
                name: "IX_Memberships_AccountId_OrganizationCreatedAt_OrganizationId",
                table: "Memberships");

            migrationBuilder.DropIndex(
                name: "IX_Memberships_OrganizationId_JoinedAt_AccountId",
                table: "Memberships");

            migrationBuilder.DropIndex(
                name: "IX_Mailboxes_MailServiceId_CreatedAt_Id",
                table: "Mailboxes");

            migrationBuilder.DropIndex(
                name: "IX_LedgerTransactions_WalletId_At_Id",
                table: "LedgerTransactions");

            migrationBuilder.DropIndex(
                name: "IX_Invoices_OrganizationId_IssuedAt_Id",
                table: "Invoices");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_Email_CreatedAt_Id",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_OrganizationId_CreatedAt_Id",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_FreeVouchers_OrganizationId_GrantedAt_Id",
                table: "FreeVouchers");

            migrationBuilder.DropIndex(
                name: "IX_CreditNotes_OrganizationId_IssuedAt_Id",
                table: "CreditNotes");

            migrationBuilder.DropIndex(
                name: "IX_ActivityEntries_AccountId_At_Id",
                table: "ActivityEntries");

            migrationBuilder.DropColumn(
                name: "LegalRepresentativeCount",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "MemberCount",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "OrganizationCreatedAt",
                table: "Memberships");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_AccountId_CreatedAt",
                table: "Sessions",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Products_OrganizationId",
                table: "Products",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Memberships_AccountId",
                table: "Memberships",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_Mailboxes_MailServiceId",
                table: "Mailboxes",
                column: "MailServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_LedgerTransactions_WalletId_At",
                table: "LedgerTransactions",
                columns: new[] { "WalletId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_OrganizationId_IssuedAt",
                table: "Invoices",
                columns: new[] { "OrganizationId", "IssuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_Email",
                table: "Invitations",
                column: "Email");

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_OrganizationId",
                table: "Invitations",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_FreeVouchers_OrganizationId",
                table: "FreeVouchers",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_ActivityEntries_AccountId_At",
                table: "ActivityEntries",
                columns: new[] { "AccountId", "At" });
        }
    }
}
