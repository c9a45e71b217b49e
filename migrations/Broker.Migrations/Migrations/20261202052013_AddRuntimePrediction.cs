using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddRuntimePrediction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "runtime_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    trained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    observations = table.Column<int>(type: "integer", nullable: false),
                    latest_completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    statistics = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runtime_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "job_runtime_predictions",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model_id = table.Column<long>(type: "bigint", nullable: false),
                    predicted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    median = table.Column<TimeSpan>(type: "interval", nullable: false),
                    low = table.Column<TimeSpan>(type: "interval", nullable: false),
                    high = table.Column<TimeSpan>(type: "interval", nullable: false),
                    interval_coverage = table.Column<double>(type: "double precision", nullable: false),
                    basis = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actual = table.Column<TimeSpan>(type: "interval", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_runtime_predictions", x => x.job_id);
                    table.ForeignKey(
                        name: "fk_job_runtime_predictions_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_job_runtime_predictions_runtime_models_model_id",
                        column: x => x.model_id,
                        principalTable: "runtime_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_job_runtime_predictions_model_id",
                table: "job_runtime_predictions",
                column: "model_id");

            migrationBuilder.CreateIndex(
                name: "ix_runtime_models_trained_at",
                table: "runtime_models",
                column: "trained_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_runtime_predictions");

            migrationBuilder.DropTable(
                name: "runtime_models");
        }
    }
}
