using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <summary>Cloud gangs (ADR 0012): the member count and instance ids of a gang allocation, and each ledger entry's member instance.</summary>
    public partial class AddCloudGangMembers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "instance_count",
                table: "allocations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "member_instance_ids",
                table: "allocations",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "instance_id",
                table: "cost_entries",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "instance_count", table: "allocations");
            migrationBuilder.DropColumn(name: "member_instance_ids", table: "allocations");
            migrationBuilder.DropColumn(name: "instance_id", table: "cost_entries");
        }
    }
}
