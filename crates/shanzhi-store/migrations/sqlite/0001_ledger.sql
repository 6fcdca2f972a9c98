-- The ledger (一本账): cases, their parties, their append-only history, and settings.
-- Personal identifiers are stored only as keyed hashes and masked forms.

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    town_code     TEXT,
    title         TEXT,
    body          TEXT NOT NULL,
    category      TEXT,
    amount_fen    INTEGER,
    people_count  INTEGER,
    lat           REAL,
    lon           REAL,
    status        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    CONSTRAINT cases_channel_external_id_key UNIQUE (channel, external_id)
);
CREATE INDEX cases_received_at_idx ON cases (received_at);
CREATE INDEX cases_region_code_idx ON cases (region_code);
CREATE INDEX cases_town_code_idx ON cases (town_code);

CREATE TABLE parties (
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    position     INTEGER NOT NULL,
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
    case_id INTEGER NOT NULL REFERENCES cases (id),
    seq     INTEGER NOT NULL,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- History is append-only.
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case history is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case history is append-only');
END;

-- A case changes only together with the history row that records the change: the new version
-- must be the next one, and its event must already be written.
CREATE TRIGGER cases_change_needs_history BEFORE UPDATE ON cases
WHEN NEW.version <> OLD.version + 1
  OR NOT EXISTS (SELECT 1 FROM case_events WHERE case_id = NEW.id AND seq = NEW.version)
BEGIN
    SELECT RAISE(ABORT, 'a case changes only with a new history event');
END;
CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
BEGIN
    SELECT RAISE(ABORT, 'cases are never deleted');
END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
