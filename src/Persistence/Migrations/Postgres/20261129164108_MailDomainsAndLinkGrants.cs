using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MailDomainsAndLinkGrants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Links made before grants were recorded count as made through rights: they end with
            // the rights, and their holder links again with the password if need be (MBX-7).
            migrationBuilder.AddColumn<int>(
                name: "Grant",
                table: "WebmailLinks",
                type: "integer",
                nullable: false,
                defaultValue: 2);

            migrationBuilder.CreateTable(
                name: "MailDomains",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProductId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClaimedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MailDomains", x => x.Domain);
                    table.ForeignKey(
                        name: "FK_MailDomains_Products_ProductId",
                        column: x => x.ProductId,
                        principalTable: "Products",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MailDomains_ProductId",
                table: "MailDomains",
                column: "ProductId",
                unique: true);

            // Live mail services with plain ASCII domains claim them, the oldest first (MBX-6);
            // a later duplicate stays without a claim and cannot be re-ordered.
            migrationBuilder.Sql(
                """
                INSERT INTO "MailDomains" ("Domain", "OrganizationId", "ProductId", "ClaimedAt")
                SELECT DISTINCT ON (lower(rtrim(btrim("Name"), '.'))) lower(rtrim(btrim("Name"), '.')), "OrganizationId", "Id", "CreatedAt" FROM "Products"
                WHERE "Type" = 3 AND "Status" <> 3 AND "Name" ~ '^[-.0-9A-Za-z]+$' AND strpos("Name", '.') > 0
                ORDER BY lower(rtrim(btrim("Name"), '.')), "CreatedAt", "Id";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MailDomains");

            migrationBuilder.DropColumn(
                name: "Grant",
                table: "WebmailLinks");
        }
    }
}
