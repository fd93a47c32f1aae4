using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Accounts opened before logins were proven keep working: they count as proven (ACC-12).
            migrationBuilder.Sql("UPDATE \"Accounts\" SET \"LoginConfirmed\" = 1;");

            migrationBuilder.CreateTable(
                name: "LoginConfirmations",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CodeDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FailedAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    CodesIssued = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
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
