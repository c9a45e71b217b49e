using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Broker.Migrations.Migrations
{
    /// <summary>Which members of an interrupted cloud gang the provider reclaimed (the others Broker terminated, and they are billed).</summary>
    public partial class AddGangReclaimedMembers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<int>>(
                name: "reclaimed_members",
                table: "allocations",
                type: "integer[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "reclaimed_members", table: "allocations");
        }
    }
}
