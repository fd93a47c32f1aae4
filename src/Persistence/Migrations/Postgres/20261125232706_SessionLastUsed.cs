using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hosting.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SessionLastUsed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastUsedAt",
                table: "Sessions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Sessions opened before idle timeouts count as used when they were opened.
            migrationBuilder.Sql("UPDATE \"Sessions\" SET \"LastUsedAt\" = \"CreatedAt\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LastUsedAt",
                table: "Sessions");
        }
    }
}
