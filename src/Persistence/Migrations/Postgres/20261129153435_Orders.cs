using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Orders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_CataloguePrices",
                table: "CataloguePrices");

            migrationBuilder.AddColumn<Guid>(
                name: "InvoiceId",
                table: "Products",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PeriodMonths",
                table: "Products",
                type: "integer",
                nullable: false,
                defaultValue: 12);

            migrationBuilder.AddColumn<long>(
                name: "CancelledAt",
                table: "Invoices",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DueAt",
                table: "Invoices",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PaidAt",
                table: "Invoices",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "State",
                table: "Invoices",
                type: "integer",
                nullable: false,
                defaultValue: 2);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Invoices",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // Every invoice issued before orders was paid when issued.
            migrationBuilder.Sql("UPDATE \"Invoices\" SET \"PaidAt\" = \"IssuedAt\";");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CataloguePrices",
                table: "CataloguePrices",
                columns: new[] { "Type", "PeriodMonths" });

            migrationBuilder.CreateIndex(
                name: "IX_Products_InvoiceId",
                table: "Products",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_OrganizationId_State",
                table: "Invoices",
                columns: new[] { "OrganizationId", "State" });

            migrationBuilder.AddForeignKey(
                name: "FK_Products_Invoices_InvoiceId",
                table: "Products",
                column: "InvoiceId",
                principalTable: "Invoices",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Products_Invoices_InvoiceId",
                table: "Products");

            migrationBuilder.DropIndex(
                name: "IX_Products_InvoiceId",
                table: "Products");

            migrationBuilder.DropIndex(
                name: "IX_Invoices_OrganizationId_State",
                table: "Invoices");

            migrationBuilder.DropPrimaryKey(
                name: "PK_CataloguePrices",
                table: "CataloguePrices");

            migrationBuilder.DropColumn(
                name: "InvoiceId",
                table: "Products");

            migrationBuilder.DropColumn(
                name: "PeriodMonths",
                table: "Products");

            migrationBuilder.DropColumn(
                name: "CancelledAt",
                table: "Invoices");

            migrationBuilder.DropColumn(
                name: "DueAt",
                table: "Invoices");

            migrationBuilder.DropColumn(
                name: "PaidAt",
                table: "Invoices");

            migrationBuilder.DropColumn(
                name: "State",
                table: "Invoices");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Invoices");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CataloguePrices",
                table: "CataloguePrices",
                column: "Type");
        }
    }
}
