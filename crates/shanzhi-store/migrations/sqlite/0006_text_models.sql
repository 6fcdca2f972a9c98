-- Versions of the text classifier (`shanzhi train`): each trained on the corpus and the
-- categories staff set in the ledger, kept whole so that an older one stays usable. At most one
-- is active: the one that `serve`, `import` and intake load instead of training at start.

CREATE TABLE text_models (
    -- AUTOINCREMENT: version numbers are shown to people; one is never given twice.
    version           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at        TEXT NOT NULL,
    -- Who or what trained it (`shanzhi train (user)`).
    trained_by        TEXT NOT NULL,
    -- The format tag of `model` (`shanzhi-text-model/1`).
    format            TEXT NOT NULL,
    corpus_examples   INTEGER NOT NULL,
    ledger_examples   INTEGER NOT NULL,
    -- Category accuracy on the corpus's held-out fifth, measured when it was trained.
    held_out_accuracy REAL NOT NULL,
    model             BLOB NOT NULL,
    active            BOOLEAN NOT NULL DEFAULT FALSE
);
-- One active version at most.
CREATE UNIQUE INDEX text_models_one_active_idx ON text_models (active) WHERE active;

-- A saved model never changes and is never removed; only which one is active does.
CREATE TRIGGER text_models_kept_whole
BEFORE UPDATE OF version, created_at, trained_by, format, corpus_examples, ledger_examples, held_out_accuracy, model
ON text_models
BEGIN
    SELECT RAISE(ABORT, 'a saved text model never changes');
END;
CREATE TRIGGER text_models_no_delete BEFORE DELETE ON text_models
BEGIN
    SELECT RAISE(ABORT, 'saved text models are never deleted');
END;
