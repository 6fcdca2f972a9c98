-- The ledger (一本账): cases, their parties, their append-only history, and settings.
-- Personal identifiers are stored only as keyed hashes and masked forms.

CREATE TABLE cases (
    id            BIGSERIAL PRIMARY KEY,
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    region_code   TEXT NOT NULL,
    town_code     TEXT,
    title         TEXT,
    body          TEXT NOT NULL,
    category      TEXT,
    amount_fen    BIGINT,
    people_count  BIGINT,
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    status        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    CONSTRAINT cases_channel_external_id_key UNIQUE (channel, external_id)
);
CREATE INDEX cases_received_at_idx ON cases (received_at);
CREATE INDEX cases_region_code_idx ON cases (region_code);
CREATE INDEX cases_town_code_idx ON cases (town_code);

CREATE TABLE parties (
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    position     BIGINT NOT NULL,
    role         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT,
    id_hash      TEXT,
    id_masked    TEXT,
    phone_hash   TEXT,
    phone_masked TEXT,
    PRIMARY KEY (case_id, position)
);
CREATE INDEX parties_id_hash_idx ON parties (id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX parties_phone_hash_idx ON parties (phone_hash) WHERE phone_hash IS NOT NULL;

CREATE TABLE case_events (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq     BIGINT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  JSONB NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- History is append-only.
CREATE FUNCTION shanzhi_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case history is append-only';
END;
$$;
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION shanzhi_refuse_history_change();

-- A case changes only together with the history row that records the change: the new version
-- must be the next one, and its event must already be written.
CREATE FUNCTION shanzhi_check_case_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cases are never deleted';
    END IF;
    IF NEW.version <> OLD.version + 1
       OR NOT EXISTS (SELECT 1 FROM case_events WHERE case_id = NEW.id AND seq = NEW.version) THEN
        RAISE EXCEPTION 'a case changes only with a new history event';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cases_change_needs_history BEFORE UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION shanzhi_check_case_change();

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
