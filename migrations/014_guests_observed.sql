-- The reconciler writes a guest's row only when what it observes of the guest changed, so
-- guests.observed_at now says when that last happened; when a cell's guests were last looked
-- at is kept on the cell.
ALTER TABLE cells ADD COLUMN guests_observed_at timestamptz;
