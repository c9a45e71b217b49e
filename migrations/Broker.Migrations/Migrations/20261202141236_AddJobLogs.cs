using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddJobLogs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "log_chunks",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    allocation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stream = table.Column<string>(type: "character varying(6)", maxLength: 6, nullable: false),
                    offset = table.Column<long>(type: "bigint", nullable: false),
                    bytes = table.Column<int>(type: "integer", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_chunks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "log_drops",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dropped_bytes = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_drops", x => x.job_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_log_chunks_allocation_id_stream_offset",
                table: "log_chunks",
                columns: new[] { "allocation_id", "stream", "offset" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_log_chunks_job_id_id",
                table: "log_chunks",
                columns: new[] { "job_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "log_chunks");

            migrationBuilder.DropTable(
                name: "log_drops");
        }
    }
}
