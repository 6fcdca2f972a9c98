-- Warnings (预警) of the four risk models, and their append-only history. A warning is one
-- situation (model and subject: `situation_key`) as the latest run that found it saw it; the
-- columns are what lists filter on, the JSON columns (TEXT, as in SQLite, so that both dialects
-- share every statement) what people read. Staff take it through its lifecycle (raised →
-- acknowledged → plan_activated → resolved, or dismissed).

CREATE TABLE warnings (
    id            BIGSERIAL PRIMARY KEY,
    situation_key TEXT NOT NULL,
    model         TEXT NOT NULL,
    level         TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_key   TEXT NOT NULL,
    subject_label TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    statistic     TEXT NOT NULL,
    factors       TEXT NOT NULL,
    explanation   TEXT NOT NULL,
    case_ids      TEXT NOT NULL,
    since         DATE NOT NULL,
    first_seen_on DATE NOT NULL,
    last_seen_on  DATE NOT NULL,
    state         TEXT NOT NULL,
    plan          TEXT,
    plan_tasks    TEXT,
    version       BIGINT NOT NULL,
    raised_at     TIMESTAMPTZ NOT NULL
);
-- One open warning per situation: a new run updates it instead of raising another.
CREATE UNIQUE INDEX warnings_open_situation_idx ON warnings (situation_key)
    WHERE state IN ('raised', 'acknowledged', 'plan_activated');
-- The latest warning of a situation, for each finding of a run.
CREATE INDEX warnings_situation_idx ON warnings (situation_key, id);
CREATE INDEX warnings_state_level_idx ON warnings (state, level);
CREATE INDEX warnings_model_idx ON warnings (model);

CREATE TABLE warning_events (
    warning_id BIGINT NOT NULL REFERENCES warnings (id),
    seq        BIGINT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (warning_id, seq)
);

-- History is append-only (shanzhi_refuse_change is from 0002). TRUNCATE bypasses row triggers,
-- so both tables also refuse it.
CREATE TRIGGER warning_events_append_only BEFORE UPDATE OR DELETE ON warning_events
    FOR EACH ROW EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER warning_events_no_truncate BEFORE TRUNCATE ON warning_events
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER warnings_no_truncate BEFORE TRUNCATE ON warnings
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();

-- A warning's state changes only with a new history event (its version counts them), and its
-- situation never changes; a run may refresh the other columns without one.
CREATE FUNCTION shanzhi_check_warning_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'warnings are never deleted';
    END IF;
    IF NEW.situation_key <> OLD.situation_key
       OR (NEW.state <> OLD.state AND NEW.version = OLD.version)
       OR (NEW.version <> OLD.version
           AND (NEW.version <> OLD.version + 1
                OR NOT EXISTS (SELECT 1 FROM warning_events WHERE warning_id = NEW.id AND seq = NEW.version))) THEN
        RAISE EXCEPTION 'a warning changes state only with a new history event';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER warnings_change_needs_history BEFORE UPDATE OR DELETE ON warnings
    FOR EACH ROW EXECUTE FUNCTION shanzhi_check_warning_change();
