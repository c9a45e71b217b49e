using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddOfferCatalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "offers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpu_count = table.Column<int>(type: "integer", nullable: false),
                    gpu_memory_gb = table.Column<double>(type: "double precision", nullable: true),
                    v_cpus = table.Column<int>(type: "integer", nullable: false),
                    memory_gb = table.Column<double>(type: "double precision", nullable: false),
                    on_demand_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    spot_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    spot_interruption_per_hour = table.Column<double>(type: "double precision", nullable: false),
                    spot_interruption_prior_per_hour = table.Column<double>(type: "double precision", nullable: false),
                    observed_interruptions = table.Column<int>(type: "integer", nullable: false),
                    spot_instance_hours = table.Column<double>(type: "double precision", nullable: false),
                    available = table.Column<bool>(type: "boolean", nullable: false),
                    prices_as_of = table.Column<DateOnly>(type: "date", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_offers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "price_refreshes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    offers_updated = table.Column<int>(type: "integer", nullable: false),
                    quotes_applied = table.Column<int>(type: "integer", nullable: false),
                    quotes_unknown = table.Column<int>(type: "integer", nullable: false),
                    quotes_rejected = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_refreshes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_offers_gpu_model_gpu_count",
                table: "offers",
                columns: new[] { "gpu_model", "gpu_count" });

            migrationBuilder.CreateIndex(
                name: "ux_offers_natural_key",
                table: "offers",
                columns: new[] { "provider", "region", "zone", "instance_type" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_price_refreshes_provider_at",
                table: "price_refreshes",
                columns: new[] { "provider", "at" },
                descending: new[] { false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "offers");

            migrationBuilder.DropTable(
                name: "price_refreshes");
        }
    }
}
