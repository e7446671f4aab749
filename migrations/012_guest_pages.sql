-- guest_search pages ordered by (created_at, id) with no pool given, and every page of the
-- generic plan PostgreSQL caches for the prepared statement (where the filters are unknown),
-- walk this index and stop after one page instead of sorting every guest.
CREATE INDEX guests_created_idx ON guests (created_at, id);
