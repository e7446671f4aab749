-- The hot path: authenticating a request is one join by primary keys.
-- A group's admin flag and menu tags are kept on the group (maintained by triggers on the
-- tables they derive from) instead of aggregated over roles on every request.
ALTER TABLE user_groups
    ADD COLUMN is_admin boolean NOT NULL DEFAULT false,
    ADD COLUMN menu     text NOT NULL DEFAULT '';  -- comma-separated, sorted, distinct

CREATE FUNCTION refresh_group_perms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_groups g SET
        is_admin = EXISTS (SELECT 1 FROM group_roles gr JOIN roles r ON r.id = gr.role_id
                           WHERE gr.group_id = g.id AND r.name = 'admin'),
        menu = coalesce((SELECT string_agg(DISTINCT m, ',' ORDER BY m)
                           FROM group_roles gr JOIN roles r ON r.id = gr.role_id, unnest(r.menu) m
                          WHERE gr.group_id = g.id), '');
    RETURN NULL;
END $$;
CREATE TRIGGER group_roles_changed AFTER INSERT OR UPDATE OR DELETE ON group_roles
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_group_perms();
CREATE TRIGGER roles_changed AFTER UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_group_perms();
UPDATE user_groups g SET
    is_admin = EXISTS (SELECT 1 FROM group_roles gr JOIN roles r ON r.id = gr.role_id
                       WHERE gr.group_id = g.id AND r.name = 'admin'),
    menu = coalesce((SELECT string_agg(DISTINCT m, ',' ORDER BY m)
                       FROM group_roles gr JOIN roles r ON r.id = gr.role_id, unnest(r.menu) m
                      WHERE gr.group_id = g.id), '');

-- Guest reads look up the guest's address by guest.
CREATE INDEX address_allocations_guest_idx ON address_allocations (guest_id);
