-- Assessment (考核): the police classification of a record, and the history of safe-village
-- star ratings (星级平安村社).

-- 警情类别 (criminal, public_order, safety_accident, mass_incident, homicide), when the source gave one.
ALTER TABLE cases ADD COLUMN incident TEXT;
CREATE INDEX cases_incident_idx ON cases (incident, received_at) WHERE incident IS NOT NULL;

-- 民转刑 and other events are found by kind and time: the assessment of a period reads the
-- crimes recorded in it, whenever their case was received.
CREATE INDEX case_events_kind_at_idx ON case_events (kind, at);
-- The cases handled in a period are those with an event in it or after it.
CREATE INDEX case_events_at_idx ON case_events (at, case_id);

-- Each computation of a period's ratings appends rows; the latest per village and period is the
-- rating, the earlier ones its history (a corrected ledger or a new scheme rates again).
CREATE TABLE star_ratings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    period         TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    scheme         TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    stars          INTEGER NOT NULL CHECK (stars BETWEEN 0 AND 5),
    score          REAL NOT NULL,
    breakdown      TEXT NOT NULL,
    computed_at    TEXT NOT NULL
);
CREATE INDEX star_ratings_period_idx ON star_ratings (period, village_code, id);
CREATE INDEX star_ratings_village_idx ON star_ratings (village_code, id);

CREATE TRIGGER star_ratings_no_update BEFORE UPDATE ON star_ratings
BEGIN
    SELECT RAISE(ABORT, 'star ratings are history: a new computation appends');
END;
CREATE TRIGGER star_ratings_no_delete BEFORE DELETE ON star_ratings
BEGIN
    SELECT RAISE(ABORT, 'star ratings are history: a new computation appends');
END;
