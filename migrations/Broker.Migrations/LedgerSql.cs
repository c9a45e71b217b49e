namespace Broker.Migrations;

/// <summary>Hand-written SQL the model cannot express, shared by the migrations that need it.</summary>
public static class LedgerSql
{
    /// <summary>The ledger is append-only: corrections are new entries, so UPDATE and DELETE are refused by the database itself.</summary>
    public const string AppendOnly = """
        CREATE FUNCTION cost_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'cost_entries is append-only: write a correction entry instead of %', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$;
        CREATE TRIGGER cost_entries_append_only BEFORE UPDATE OR DELETE ON cost_entries
            FOR EACH ROW EXECUTE FUNCTION cost_entries_append_only();
        """;

    public const string DropAppendOnly = """
        DROP TRIGGER IF EXISTS cost_entries_append_only ON cost_entries;
        DROP FUNCTION IF EXISTS cost_entries_append_only();
        """;
}
