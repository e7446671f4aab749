-- What a cell's libvirt driver cannot do, and credentials waiting for a guest's next boot.
-- The reconciler records the driver's name and what it lacks ('nwfilter', 'volume resize',
-- 'volume download', 'volume upload') when it connects to the cell, so that db/ refuses an
-- operation the cell cannot carry out before anything changes, for every dialect (a cell
-- never observed lacks nothing: its operations fail on the host as before).
ALTER TABLE cells
    ADD COLUMN driver text NOT NULL DEFAULT '',
    ADD COLUMN lacks  text[] NOT NULL DEFAULT '{}';
-- PUT /guests/{id}/auth on a stopped guest stores admin_name and admin_secret at once; the
-- reconciler sets them through the guest agent once the guest runs again, then clears this.
ALTER TABLE guests ADD COLUMN auth_pending boolean NOT NULL DEFAULT false;
CREATE INDEX guests_auth_pending_idx ON guests (cell_id) WHERE auth_pending;
