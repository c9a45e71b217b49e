using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class MigratedSegmentMayOverlap : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_allocations_job_id",
                table: "allocations");

            migrationBuilder.CreateIndex(
                name: "ix_allocations_job_id",
                table: "allocations",
                column: "job_id",
                unique: true,
                filter: "state <> 'Closed' AND (\"end\" IS NULL OR \"end\" <> 'Migrated')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_allocations_job_id",
                table: "allocations");

            migrationBuilder.CreateIndex(
                name: "ix_allocations_job_id",
                table: "allocations",
                column: "job_id",
                unique: true,
                filter: "state <> 'Closed'");
        }
    }
}
