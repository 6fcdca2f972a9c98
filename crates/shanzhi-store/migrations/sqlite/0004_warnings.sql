-- Warnings (预警) of the four risk models, and their append-only history. A warning is one
-- situation (model and subject: `situation_key`) as the latest run that found it saw it; the
-- columns are what lists filter on, the JSON columns what people read. Staff take it through
-- its lifecycle (raised → acknowledged → plan_activated → resolved, or dismissed).

CREATE TABLE warnings (
    -- AUTOINCREMENT: warning ids are shown to people and linked to; one is never given twice.
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    situation_key TEXT NOT NULL,
    model         TEXT NOT NULL,
    level         TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_key   TEXT NOT NULL,
    subject_label TEXT NOT NULL,
    score         REAL NOT NULL,
    statistic     TEXT NOT NULL,
    factors       TEXT NOT NULL,
    explanation   TEXT NOT NULL,
    case_ids      TEXT NOT NULL,
    since         TEXT NOT NULL,
    first_seen_on TEXT NOT NULL,
    last_seen_on  TEXT NOT NULL,
    state         TEXT NOT NULL,
    plan          TEXT,
    plan_tasks    TEXT,
    version       INTEGER NOT NULL,
    raised_at     TEXT NOT NULL
);
-- One open warning per situation: a new run updates it instead of raising another.
CREATE UNIQUE INDEX warnings_open_situation_idx ON warnings (situation_key)
    WHERE state IN ('raised', 'acknowledged', 'plan_activated');
-- The latest warning of a situation, for each finding of a run.
CREATE INDEX warnings_situation_idx ON warnings (situation_key, id);
CREATE INDEX warnings_state_level_idx ON warnings (state, level);
CREATE INDEX warnings_model_idx ON warnings (model);

CREATE TABLE warning_events (
    warning_id INTEGER NOT NULL REFERENCES warnings (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (warning_id, seq)
);

-- History is append-only.
CREATE TRIGGER warning_events_no_update BEFORE UPDATE ON warning_events
BEGIN
    SELECT RAISE(ABORT, 'warning history is append-only');
END;
CREATE TRIGGER warning_events_no_delete BEFORE DELETE ON warning_events
BEGIN
    SELECT RAISE(ABORT, 'warning history is append-only');
END;

-- A warning's state changes only with a new history event (its version counts them), and its
-- situation never changes; a run may refresh the other columns without one.
CREATE TRIGGER warnings_change_needs_history BEFORE UPDATE ON warnings
WHEN NEW.situation_key <> OLD.situation_key
  OR (NEW.state <> OLD.state AND NEW.version = OLD.version)
  OR (NEW.version <> OLD.version
      AND (NEW.version <> OLD.version + 1
           OR NOT EXISTS (SELECT 1 FROM warning_events WHERE warning_id = NEW.id AND seq = NEW.version)))
BEGIN
    SELECT RAISE(ABORT, 'a warning changes state only with a new history event');
END;
CREATE TRIGGER warnings_no_delete BEFORE DELETE ON warnings
BEGIN
    SELECT RAISE(ABORT, 'warnings are never deleted');
END;
