-- The mediation workflow. `workflow` holds the case's whole workflow state as JSON (kind,
-- routing, clock, sessions, agreement, follow-ups, link); the columns beside it repeat what lists
-- filter and sort on. Both change only with a history event (the trigger of 0001 still applies).

ALTER TABLE cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'dispute';
ALTER TABLE cases ADD COLUMN workflow TEXT NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN lead_department TEXT;
ALTER TABLE cases ADD COLUMN handling_level TEXT;
ALTER TABLE cases ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN paused BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN primary_case_id BIGINT REFERENCES cases (id);
ALTER TABLE cases ADD COLUMN respondent_key TEXT;
ALTER TABLE cases ADD COLUMN risk TEXT NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN resolved_level TEXT;
-- When the next term of the case's agreement is to be checked (履约回访), until it is.
ALTER TABLE cases ADD COLUMN agreement_check_at TIMESTAMPTZ;

CREATE INDEX cases_status_due_idx ON cases (status, due_at);
CREATE INDEX cases_primary_idx ON cases (primary_case_id) WHERE primary_case_id IS NOT NULL;
CREATE INDEX cases_respondent_key_idx ON cases (respondent_key, received_at) WHERE respondent_key IS NOT NULL;
CREATE INDEX cases_agreement_check_idx ON cases (agreement_check_at) WHERE agreement_check_at IS NOT NULL;
CREATE INDEX cases_town_category_received_idx ON cases (town_code, category, received_at);
-- Its first column serves every look-up by town: one index less to write at each intake.
DROP INDEX cases_town_code_idx;

-- Every department on a case (the lead and the co-handlers), for inboxes and data scopes.
-- Rewritten with the case row whenever the routing changes.
CREATE TABLE case_handlers (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    department TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (case_id, department)
);
CREATE INDEX case_handlers_department_idx ON case_handlers (department, case_id);
