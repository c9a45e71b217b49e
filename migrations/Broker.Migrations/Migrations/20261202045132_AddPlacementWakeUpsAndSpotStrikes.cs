using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddPlacementWakeUpsAndSpotStrikes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "placement_wake_ups",
                columns: table => new
                {
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_placement_wake_ups", x => x.at);
                });

            migrationBuilder.CreateIndex(
                name: "ix_allocations_spot_strikes",
                table: "allocations",
                column: "job_id",
                filter: "market = 'Spot' AND \"end\" IN ('Interrupted', 'NoCapacity')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "placement_wake_ups");

            migrationBuilder.DropIndex(
                name: "ix_allocations_spot_strikes",
                table: "allocations");
        }
    }
}
