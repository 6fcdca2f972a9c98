-- Who may use the platform: users (argon2id password hashes), their login sessions, the API
-- tokens of integrations and scripts, and the log of every unmasking of personal data.
-- Secrets are kept only as hashes: a copy of the database lets no one log in.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    -- The argon2id hash in PHC string form (`$argon2id$v=19$…`).
    password_hash TEXT NOT NULL,
    -- A role code of `shanzhi_core::access::Role`; its scope is `region` or `department`.
    role          TEXT NOT NULL,
    region        TEXT,
    department    TEXT,
    created_at    TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE sessions (
    -- The hash of the secret in the session cookie.
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    -- The hash of the token the integration sends as `Authorization: Bearer …`.
    token_hash TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    region     TEXT,
    department TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Every time someone saw a party's ID number or phone in clear: who, when, which case, why.
CREATE TABLE pii_unmaskings (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    actor   TEXT NOT NULL,
    reason  TEXT NOT NULL
);
CREATE INDEX pii_unmaskings_case_idx ON pii_unmaskings (case_id, at);
CREATE TRIGGER pii_unmaskings_no_update BEFORE UPDATE ON pii_unmaskings
BEGIN
    SELECT RAISE(ABORT, 'the unmasking log is append-only');
END;
CREATE TRIGGER pii_unmaskings_no_delete BEFORE DELETE ON pii_unmaskings
BEGIN
    SELECT RAISE(ABORT, 'the unmasking log is append-only');
END;
