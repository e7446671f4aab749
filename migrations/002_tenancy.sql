-- Tenancy: what a Nano group lets its members see of each other's resources.
ALTER TABLE user_groups
    ADD COLUMN instance_visible    boolean NOT NULL DEFAULT false,
    ADD COLUMN media_image_visible boolean NOT NULL DEFAULT false,
    ADD COLUMN disk_image_visible  boolean NOT NULL DEFAULT false;

-- Log queries filter by time and page newest first.
CREATE INDEX audit_log_at_id_idx ON audit_log (at DESC, id DESC);
DROP INDEX audit_log_at_idx;
