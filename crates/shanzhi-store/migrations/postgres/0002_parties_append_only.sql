-- Parties are part of a case's registration: never changed or removed afterwards. TRUNCATE
-- bypasses row triggers, so each ledger table also refuses it.
CREATE FUNCTION shanzhi_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: the ledger is append-only', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER parties_append_only BEFORE UPDATE OR DELETE ON parties
    FOR EACH ROW EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER cases_no_truncate BEFORE TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER parties_no_truncate BEFORE TRUNCATE ON parties
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();
