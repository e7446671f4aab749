-- A guest read shows the names of its owner, group, pool and cell, the cell's address, the
-- guest's lowest allocated address and its total disk. Joining four tables and running two
-- sub-plans for them made the hot read, GET /guests/{id}, cost PostgreSQL twice a one-table
-- read (pgbench: 24k against 55k reads/s on 2 cores), and made every list page a five-relation
-- plan. They now live on the guest row: names copied in when a guest gets or changes an owner,
-- group, pool or cell, and again when one of those is renamed (the API renames none of them;
-- cells change address); the allocated address follows address_allocations; the total disk
-- is a generated column.

CREATE FUNCTION guest_disk_total(disks bigint[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(sum(d), 0)::bigint FROM unnest(disks) d $$;
-- Migration 013's pending disk is that total while the guest is not yet created: one sum.
CREATE OR REPLACE FUNCTION guest_pending_disk(created boolean, disks bigint[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN created THEN 0 ELSE guest_disk_total(disks) END $$;

ALTER TABLE guests
    ADD COLUMN owner_name        text NOT NULL DEFAULT '',
    ADD COLUMN group_name        text NOT NULL DEFAULT '',
    ADD COLUMN pool_name         text NOT NULL DEFAULT '',
    ADD COLUMN cell_name         text NOT NULL DEFAULT '',
    ADD COLUMN cell_address      text NOT NULL DEFAULT '',
    ADD COLUMN allocated_address inet,
    ADD COLUMN total_disk        bigint GENERATED ALWAYS AS (guest_disk_total(disks)) STORED;

-- The rows read are share-locked: a rename committing meanwhile would otherwise miss this
-- guest (its UPDATE of guests cannot see the uncommitted row) and leave the old name on it.
-- A row that is gone leaves '' and the foreign key refuses the guest.
CREATE FUNCTION guest_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.owner_name := coalesce((SELECT name FROM users WHERE id = NEW.owner_id FOR SHARE), '');
    NEW.group_name := coalesce((SELECT name FROM user_groups WHERE id = NEW.group_id FOR SHARE), '');
    NEW.pool_name := coalesce((SELECT name FROM compute_pools WHERE id = NEW.pool_id FOR SHARE), '');
    SELECT coalesce(max(name), ''), coalesce(max(address), '')
      INTO NEW.cell_name, NEW.cell_address
      FROM (SELECT name, address FROM cells WHERE id = NEW.cell_id FOR SHARE) c;
    RETURN NEW;
END $$;
CREATE TRIGGER guests_names_given BEFORE INSERT ON guests
    FOR EACH ROW EXECUTE FUNCTION guest_names();
CREATE TRIGGER guests_names_changed BEFORE UPDATE OF owner_id, group_id, pool_id, cell_id ON guests
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id
                       OR OLD.group_id IS DISTINCT FROM NEW.group_id
                       OR OLD.pool_id IS DISTINCT FROM NEW.pool_id
                       OR OLD.cell_id IS DISTINCT FROM NEW.cell_id)
    EXECUTE FUNCTION guest_names();

-- A renamed user, group or pool, or a cell renamed or found at a new address (a cell's address
-- changes only when its host does; the reconciler's heartbeat writes the same one). This
-- locks the row, then its guests; a resize locks a guest, then its cell (migration 013), so
-- the two can deadlock, and PostgreSQL then fails one, which its caller retries.
CREATE FUNCTION guest_names_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'users' THEN
        UPDATE guests SET owner_name = NEW.name WHERE owner_id = NEW.id;
    WHEN 'user_groups' THEN
        UPDATE guests SET group_name = NEW.name WHERE group_id = NEW.id;
    WHEN 'compute_pools' THEN
        UPDATE guests SET pool_name = NEW.name WHERE pool_id = NEW.id;
    WHEN 'cells' THEN
        UPDATE guests SET cell_name = NEW.name, cell_address = NEW.address WHERE cell_id = NEW.id;
    END CASE;
    RETURN NULL;
END $$;
CREATE TRIGGER users_name_to_guests AFTER UPDATE OF name ON users
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION guest_names_follow();
CREATE TRIGGER user_groups_name_to_guests AFTER UPDATE OF name ON user_groups
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION guest_names_follow();
CREATE TRIGGER compute_pools_name_to_guests AFTER UPDATE OF name ON compute_pools
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION guest_names_follow();
CREATE TRIGGER cells_name_to_guests AFTER UPDATE OF name, address ON cells
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.address IS DISTINCT FROM NEW.address)
    EXECUTE FUNCTION guest_names_follow();

-- The guests whose allocations a statement added or removed (transition table `changed`)
-- show their lowest remaining address. The API allocates once, when it creates the guest,
-- and releases with the guest, so no two statements change one guest's allocations at once.
CREATE FUNCTION guest_allocated_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE guests g
       SET allocated_address = (SELECT min(a.address) FROM address_allocations a
                                 WHERE a.guest_id = g.id)
     WHERE g.id IN (SELECT guest_id FROM changed);
    RETURN NULL;
END $$;
CREATE TRIGGER address_allocations_added AFTER INSERT ON address_allocations
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION guest_allocated_address();
CREATE TRIGGER address_allocations_removed AFTER DELETE ON address_allocations
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION guest_allocated_address();

UPDATE guests g SET
    owner_name = (SELECT name FROM users WHERE id = g.owner_id),
    group_name = coalesce((SELECT name FROM user_groups WHERE id = g.group_id), ''),
    pool_name = (SELECT name FROM compute_pools WHERE id = g.pool_id),
    cell_name = coalesce((SELECT name FROM cells WHERE id = g.cell_id), ''),
    cell_address = coalesce((SELECT address FROM cells WHERE id = g.cell_id), ''),
    allocated_address = (SELECT min(a.address) FROM address_allocations a WHERE a.guest_id = g.id);
