-- Versions of the text classifier (`shanzhi train`): each trained on the corpus and the
-- categories staff set in the ledger, kept whole so that an older one stays usable. At most one
-- is active: the one that `serve`, `import` and intake load instead of training at start.

CREATE TABLE text_models (
    version           BIGSERIAL PRIMARY KEY,
    created_at        TIMESTAMPTZ NOT NULL,
    -- Who or what trained it (`shanzhi train (user)`).
    trained_by        TEXT NOT NULL,
    -- The format tag of `model` (`shanzhi-text-model/1`).
    format            TEXT NOT NULL,
    corpus_examples   BIGINT NOT NULL,
    ledger_examples   BIGINT NOT NULL,
    -- Category accuracy on the corpus's held-out fifth, measured when it was trained.
    held_out_accuracy DOUBLE PRECISION NOT NULL,
    model             BYTEA NOT NULL,
    active            BOOLEAN NOT NULL DEFAULT FALSE
);
-- One active version at most.
CREATE UNIQUE INDEX text_models_one_active_idx ON text_models (active) WHERE active;

-- A saved model never changes and is never removed; only which one is active does
-- (shanzhi_refuse_change is from 0002).
CREATE TRIGGER text_models_kept_whole
    BEFORE UPDATE OF version, created_at, trained_by, format, corpus_examples, ledger_examples, held_out_accuracy, model
    ON text_models
    FOR EACH ROW EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER text_models_no_delete BEFORE DELETE ON text_models
    FOR EACH ROW EXECUTE FUNCTION shanzhi_refuse_change();
CREATE TRIGGER text_models_no_truncate BEFORE TRUNCATE ON text_models
    FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_refuse_change();
