using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeysetRemainingLists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "OrganizationId",
                table: "Withdrawals",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // Withdrawals already made take their wallet's organization.
            migrationBuilder.Sql("UPDATE \"Withdrawals\" SET \"OrganizationId\" = (SELECT \"OrganizationId\" FROM \"Wallets\" WHERE \"Wallets\".\"Id\" = \"Withdrawals\".\"WalletId\");");

            migrationBuilder.CreateIndex(
                name: "IX_Withdrawals_OrganizationId_RequestedAt_Id",
                table: "Withdrawals",
                columns: new[] { "OrganizationId", "RequestedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_WebmailLinks_AccountId_LinkedAt_MailboxId",
                table: "WebmailLinks",
                columns: new[] { "AccountId", "LinkedAt", "MailboxId" });

            migrationBuilder.CreateIndex(
                name: "IX_ProductCredentials_ProductId_CreatedAt_Id",
                table: "ProductCredentials",
                columns: new[] { "ProductId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Parked_SentAt_CreatedAt_Id",
                table: "Outbox",
                columns: new[] { "SentAt", "CreatedAt", "Id" },
                filter: "\"ParkedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Withdrawals_OrganizationId_RequestedAt_Id",
                table: "Withdrawals");

            migrationBuilder.DropIndex(
                name: "IX_WebmailLinks_AccountId_LinkedAt_MailboxId",
                table: "WebmailLinks");

            migrationBuilder.DropIndex(
                name: "IX_ProductCredentials_ProductId_CreatedAt_Id",
                table: "ProductCredentials");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_Parked_SentAt_CreatedAt_Id",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "OrganizationId",
                table: "Withdrawals");
        }
    }
}
