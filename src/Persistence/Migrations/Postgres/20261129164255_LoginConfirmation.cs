using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LoginConfirmation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "LoginConfirmed",
                table: "Accounts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Accounts opened before logins were proven keep working: they count as proven (ACC-12).
            migrationBuilder.Sql("UPDATE \"Accounts\" SET \"LoginConfirmed\" = TRUE;");

            migrationBuilder.CreateTable(
                name: "LoginConfirmations",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    CodeDigest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IssuedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    FailedAttempts = table.Column<int>(type: "integer", nullable: false),
                    CodesIssued = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LoginConfirmations", x => x.AccountId);
                    table.ForeignKey(
                        name: "FK_LoginConfirmations_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LoginConfirmations");

            migrationBuilder.DropColumn(
                name: "LoginConfirmed",
                table: "Accounts");
        }
    }
}
