using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddIdleCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cost_rollup_state",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    last_entry_id = table.Column<long>(type: "bigint", nullable: false),
                    rolled_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_rollup_state", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "onprem_idle_hourly",
                columns: table => new
                {
                    hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    usd_per_gpu_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    samples = table.Column<int>(type: "integer", nullable: false),
                    used_gpu_minutes = table.Column<long>(type: "bigint", nullable: false),
                    total_gpu_minutes = table.Column<long>(type: "bigint", nullable: false),
                    idle_gpu_hours = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    idle_cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_onprem_idle_hourly", x => new { x.hour, x.node, x.usd_per_gpu_hour });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cost_rollup_state");

            migrationBuilder.DropTable(
                name: "onprem_idle_hourly");
        }
    }
}
