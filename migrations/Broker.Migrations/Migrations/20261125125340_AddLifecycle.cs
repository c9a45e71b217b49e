using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "interruptions",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "latest_explanation",
                table: "jobs",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "saved_progress",
                table: "jobs",
                type: "interval",
                nullable: false,
                defaultValue: new TimeSpan(0, 0, 0, 0, 0));

            migrationBuilder.CreateTable(
                name: "allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    market = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpus = table.Column<int>(type: "integer", nullable: false),
                    price_per_hour = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    end = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    end_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    external_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    callback_token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_allocations", x => x.id);
                    table.ForeignKey(
                        name: "fk_allocations_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "node_utilization_samples",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpu_used = table.Column<int>(type: "integer", nullable: false),
                    gpu_total = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_node_utilization_samples", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "onprem_nodes",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    gpu_model = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gpu_total = table.Column<int>(type: "integer", nullable: false),
                    gpu_used = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    cpus = table.Column<int>(type: "integer", nullable: false),
                    memory_mb = table.Column<int>(type: "integer", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    present = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_onprem_nodes", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_allocations_job_id",
                table: "allocations",
                column: "job_id",
                unique: true,
                filter: "state <> 'Closed'");

            migrationBuilder.CreateIndex(
                name: "ix_allocations_state_provider",
                table: "allocations",
                columns: new[] { "state", "provider" });

            migrationBuilder.CreateIndex(
                name: "ix_node_utilization_samples_at",
                table: "node_utilization_samples",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_node_utilization_samples_node_at",
                table: "node_utilization_samples",
                columns: new[] { "node", "at" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "allocations");

            migrationBuilder.DropTable(
                name: "node_utilization_samples");

            migrationBuilder.DropTable(
                name: "onprem_nodes");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "interruptions",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "latest_explanation",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "saved_progress",
                table: "jobs");
        }
    }
}
