-- Resources: storage pools, address pools and ranges, compute pools, cells (libvirt hosts),
-- templates, the guest rows the statistics count, and the reconcilers' leases.

CREATE TABLE zone (
    name       text PRIMARY KEY DEFAULT 'default',
    started_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO zone DEFAULT VALUES;

CREATE TABLE storage_pools (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    type       text NOT NULL DEFAULT 'nfs' CHECK (type IN ('nfs')),
    host       text NOT NULL DEFAULT '',
    target     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE address_pools (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    gateway    inet NOT NULL CHECK (family(gateway) = 4 AND masklen(gateway) = 32),
    dns        inet[] NOT NULL DEFAULT '{}',
    provider   text NOT NULL DEFAULT 'dhcp' CHECK (provider IN ('dhcp', 'cloudinit')),
    mode       text NOT NULL DEFAULT 'internal' CHECK (mode IN ('internal', 'external', 'both')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Ranges never overlap inside a pool: the exclusion constraint holds even under concurrency.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE address_ranges (
    id         bigserial PRIMARY KEY,
    pool_id    bigint NOT NULL REFERENCES address_pools ON DELETE RESTRICT,
    type       text NOT NULL DEFAULT 'internal' CHECK (type IN ('internal', 'external')),
    start_addr inet NOT NULL,
    end_addr   inet NOT NULL,
    netmask    inet NOT NULL,
    CHECK (start_addr <= end_addr),
    UNIQUE (pool_id, type, start_addr),
    EXCLUDE USING gist (pool_id WITH =, type WITH =,
                        int8range((start_addr - '0.0.0.0'::inet), (end_addr - '0.0.0.0'::inet), '[]') WITH &&)
);

CREATE TABLE compute_pools (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    storage_pool_id bigint REFERENCES storage_pools,
    address_pool_id bigint REFERENCES address_pools,
    failover        boolean NOT NULL DEFAULT false,
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- A cell is a libvirt host. Desired configuration (pool, enabled, storage paths) is written by
-- the API; observed figures (alive, cores, memory, disk, usage) only by the reconciler that
-- holds the cell's lease.
CREATE TABLE cells (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL UNIQUE,
    uri              text NOT NULL,
    pool_id          bigint REFERENCES compute_pools,
    enabled          boolean NOT NULL DEFAULT true,
    storage_mode     text NOT NULL DEFAULT 'local' CHECK (storage_mode IN ('local', 'nfs', 'ceph')),
    system_paths     text[] NOT NULL DEFAULT '{/var/lib/libvirt/images}',
    data_paths       text[] NOT NULL DEFAULT '{/var/lib/libvirt/images}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- observed
    alive            boolean NOT NULL DEFAULT false,
    address          text NOT NULL DEFAULT '',
    error            text NOT NULL DEFAULT '',
    cores            integer NOT NULL DEFAULT 0,
    memory           bigint NOT NULL DEFAULT 0,
    memory_available bigint NOT NULL DEFAULT 0,
    disk             bigint NOT NULL DEFAULT 0,
    disk_available   bigint NOT NULL DEFAULT 0,
    observed_at      timestamptz,
    -- lease
    lease_owner      text,
    lease_expires    timestamptz
);
CREATE INDEX cells_pool_idx ON cells (pool_id);
CREATE INDEX cells_lease_idx ON cells (lease_owner);

-- Running reconcilers announce themselves; each claims its share of the cells.
CREATE TABLE reconcilers (
    id        text PRIMARY KEY,
    heartbeat timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE templates (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL UNIQUE,
    admin            text NOT NULL DEFAULT 'root',
    operating_system text NOT NULL DEFAULT 'linux' CHECK (operating_system IN ('linux', 'windows')),
    disk             text NOT NULL DEFAULT 'scsi' CHECK (disk IN ('scsi', 'sata', 'ide')),
    network          text NOT NULL DEFAULT 'virtio' CHECK (network IN ('virtio', 'e1000', 'rtl8139')),
    display          text NOT NULL DEFAULT 'vga' CHECK (display IN ('vga', 'cirrus')),
    control          text NOT NULL DEFAULT 'vnc' CHECK (control IN ('vnc', 'spice')),
    usb              text NOT NULL DEFAULT '' CHECK (usb IN ('', 'nec-xhci')),
    tablet           text NOT NULL DEFAULT '' CHECK (tablet IN ('', 'usb')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    modified_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO templates (name, admin, operating_system, disk, network, display, control, usb, tablet) VALUES
    ('linux-default', 'root', 'linux', 'scsi', 'virtio', 'vga', 'vnc', '', ''),
    ('windows-default', 'Administrator', 'windows', 'sata', 'e1000', 'vga', 'vnc', 'nec-xhci', 'usb'),
    ('linux-legacy', 'root', 'linux', 'ide', 'e1000', 'cirrus', 'vnc', '', '');

-- Guests: desired configuration and observed state kept apart. The guests work extends this.
CREATE TABLE guests (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text NOT NULL,
    owner_id       bigint NOT NULL REFERENCES users,
    group_id       bigint REFERENCES user_groups,
    pool_id        bigint NOT NULL REFERENCES compute_pools,
    cell_id        bigint REFERENCES cells,
    template_id    uuid REFERENCES templates,
    cores          integer NOT NULL CHECK (cores > 0),
    memory         bigint NOT NULL CHECK (memory > 0),
    disks          bigint[] NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- observed
    created        boolean NOT NULL DEFAULT false,
    running        boolean NOT NULL DEFAULT false,
    lost           boolean NOT NULL DEFAULT false,
    migrating      boolean NOT NULL DEFAULT false,
    cpu_usage      double precision NOT NULL DEFAULT 0,
    read_speed     bigint NOT NULL DEFAULT 0,
    write_speed    bigint NOT NULL DEFAULT 0,
    receive_speed  bigint NOT NULL DEFAULT 0,
    send_speed     bigint NOT NULL DEFAULT 0,
    UNIQUE (pool_id, name)
);
CREATE INDEX guests_cell_idx ON guests (cell_id);
CREATE INDEX guests_owner_idx ON guests (owner_id);

-- An address is held by at most one guest in its pool: allocation is one INSERT that loses
-- cleanly on this key when another guest got there first.
CREATE TABLE address_allocations (
    pool_id  bigint NOT NULL REFERENCES address_pools,
    range_id bigint NOT NULL REFERENCES address_ranges,
    address  inet NOT NULL,
    guest_id uuid NOT NULL REFERENCES guests ON DELETE CASCADE,
    PRIMARY KEY (pool_id, address)
);
CREATE INDEX address_allocations_range_idx ON address_allocations (range_id);

-- A default compute pool for the cell `make run` registers.
INSERT INTO compute_pools (name) VALUES ('default');

-- Reconcilers LISTEN on nimbus_cells: any change to what cells exist or where they point
-- wakes them at once instead of at the next period.
CREATE FUNCTION notify_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nimbus_cells', '');
    RETURN NULL;
END $$;
CREATE TRIGGER cells_changed AFTER INSERT OR DELETE OR UPDATE OF uri, pool_id, enabled, system_paths
    ON cells FOR EACH STATEMENT EXECUTE FUNCTION notify_cells();
