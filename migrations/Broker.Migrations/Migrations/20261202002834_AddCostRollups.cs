using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddCostRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cost_daily_rollups",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    team = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    market = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    instance_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    labels = table.Column<string>(type: "jsonb", nullable: false),
                    gpu_hours = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    on_demand_cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    entries = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_daily_rollups", x => new { x.day, x.team, x.provider, x.region, x.market, x.instance_type, x.gpu_model, x.labels });
                });

            migrationBuilder.CreateTable(
                name: "cost_job_monthly",
                columns: table => new
                {
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    team = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    gpu_hours = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    on_demand_cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    entries = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_job_monthly", x => new { x.month, x.job_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_cost_daily_rollups_team_day",
                table: "cost_daily_rollups",
                columns: new[] { "team", "day" });

            migrationBuilder.CreateIndex(
                name: "ix_cost_job_monthly_month_cost",
                table: "cost_job_monthly",
                columns: new[] { "month", "cost" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_cost_job_monthly_month_team_cost",
                table: "cost_job_monthly",
                columns: new[] { "month", "team", "cost" },
                descending: new[] { false, false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cost_daily_rollups");

            migrationBuilder.DropTable(
                name: "cost_job_monthly");
        }
    }
}
