using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AddGangMembersSharesAndMig : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "mig_slices",
                table: "onprem_nodes",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "shard_total",
                table: "onprem_nodes",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<List<int>>(
                name: "shards_in_use",
                table: "onprem_nodes",
                type: "integer[]",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "member_nodes",
                table: "cost_entries",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "member_nodes",
                table: "allocations",
                type: "text[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "mig_slices",
                table: "onprem_nodes");

            migrationBuilder.DropColumn(
                name: "shard_total",
                table: "onprem_nodes");

            migrationBuilder.DropColumn(
                name: "shards_in_use",
                table: "onprem_nodes");

            migrationBuilder.DropColumn(
                name: "member_nodes",
                table: "cost_entries");

            migrationBuilder.DropColumn(
                name: "member_nodes",
                table: "allocations");
        }
    }
}
