-- Parties are part of a case's registration: never changed or removed afterwards.
CREATE TRIGGER parties_no_update BEFORE UPDATE ON parties
BEGIN
    SELECT RAISE(ABORT, 'parties are part of the case history and are never changed');
END;
CREATE TRIGGER parties_no_delete BEFORE DELETE ON parties
BEGIN
    SELECT RAISE(ABORT, 'parties are part of the case history and are never changed');
END;
