-- Who wrote each audit entry, kept with the entry. user_id alone loses the author when the
-- user is removed (ON DELETE SET NULL), and it did not tell an entry the system wrote about a
-- change ("alice deletes guest web") from text a user posted through Nano's POST /logs/,
-- which could read the same. author is the user's name when the entry was written (NULL for
-- nimbusctl); source is 'system' for records of changes and log-ins, 'user' for posted text.
-- Entries written before this migration cannot be told apart: 'unknown'.
ALTER TABLE audit_log
    ADD COLUMN author text,
    ADD COLUMN source text NOT NULL DEFAULT 'unknown'
        CHECK (source IN ('system', 'user', 'unknown'));
UPDATE audit_log a SET author = u.name FROM users u WHERE u.id = a.user_id;
-- Every writer names the source from now on.
ALTER TABLE audit_log ALTER COLUMN source DROP DEFAULT;
