using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddCostLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cost_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    allocation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    part = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    corrects_entry_id = table.Column<long>(type: "bigint", nullable: true),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    team = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    market = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpu_count = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    billed_seconds = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    gpu_hours = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    price_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    on_demand_price_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    on_demand_cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    labels = table.Column<string>(type: "jsonb", nullable: false),
                    note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_cost_entries_cost_entries_corrects_entry_id",
                        column: x => x.corrects_entry_id,
                        principalTable: "cost_entries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "cost_recordings",
                columns: table => new
                {
                    allocation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entries = table.Column<int>(type: "integer", nullable: false),
                    cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_recordings", x => x.allocation_id);
                });

            migrationBuilder.CreateTable(
                name: "offer_price_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    market = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    previous_price_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    price_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_offer_price_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "onprem_rates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    effective_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    usd_per_gpu_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_onprem_rates", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_cost_entries_corrects_entry_id",
                table: "cost_entries",
                column: "corrects_entry_id");

            migrationBuilder.CreateIndex(
                name: "ix_cost_entries_job_id",
                table: "cost_entries",
                column: "job_id");

            migrationBuilder.CreateIndex(
                name: "ix_cost_entries_started_at",
                table: "cost_entries",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_cost_entries_team_started_at",
                table: "cost_entries",
                columns: new[] { "team", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ux_cost_entries_usage_part",
                table: "cost_entries",
                columns: new[] { "allocation_id", "part" },
                unique: true,
                filter: "kind = 'Usage'");

            migrationBuilder.CreateIndex(
                name: "ix_offer_price_changes_provider_region_instance_type_market_at",
                table: "offer_price_changes",
                columns: new[] { "provider", "region", "instance_type", "market", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_onprem_rates_effective_from",
                table: "onprem_rates",
                column: "effective_from",
                unique: true);

            migrationBuilder.Sql(LedgerSql.AppendOnly);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(LedgerSql.DropAppendOnly);

            migrationBuilder.DropTable(
                name: "cost_entries");

            migrationBuilder.DropTable(
                name: "cost_recordings");

            migrationBuilder.DropTable(
                name: "offer_price_changes");

            migrationBuilder.DropTable(
                name: "onprem_rates");
        }
    }
}
