using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddWhatIfRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "what_if_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    scope = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    request_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    request = table.Column<string>(type: "jsonb", nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    percent = table.Column<int>(type: "integer", nullable: false),
                    result = table.Column<string>(type: "jsonb", nullable: true),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    actor_key_id = table.Column<Guid>(type: "uuid", nullable: true),
                    actor_role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    claim_token = table.Column<Guid>(type: "uuid", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_what_if_runs", x => x.id);
                    table.CheckConstraint("ck_what_if_runs_percent", "percent BETWEEN 0 AND 100");
                });

            migrationBuilder.CreateTable(
                name: "what_if_changes",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    job_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    team = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    changed = table.Column<bool>(type: "boolean", nullable: false),
                    current = table.Column<string>(type: "jsonb", nullable: false),
                    proposed = table.Column<string>(type: "jsonb", nullable: false),
                    actual = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_what_if_changes", x => new { x.run_id, x.seq });
                    table.ForeignKey(
                        name: "fk_what_if_changes_what_if_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "what_if_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_what_if_changes_changed",
                table: "what_if_changes",
                columns: new[] { "run_id", "seq" },
                filter: "changed");

            migrationBuilder.CreateIndex(
                name: "ix_what_if_runs_state_created_at",
                table: "what_if_runs",
                columns: new[] { "state", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_what_if_runs_active_request",
                table: "what_if_runs",
                columns: new[] { "scope", "request_hash" },
                unique: true,
                filter: "state IN ('Queued', 'Running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "what_if_changes");

            migrationBuilder.DropTable(
                name: "what_if_runs");
        }
    }
}
