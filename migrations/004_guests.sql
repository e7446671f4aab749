-- Guests in full and the operations that carry changes out on the hosts.

ALTER TABLE guests
    -- desired configuration
    ADD COLUMN auto_start        boolean NOT NULL DEFAULT false,
    ADD COLUMN system            text NOT NULL DEFAULT 'linux',
    ADD COLUMN network_address   inet,
    ADD COLUMN ethernet_address  text NOT NULL UNIQUE DEFAULT '',
    ADD COLUMN from_image        text NOT NULL DEFAULT '',
    ADD COLUMN ports             integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN modules           text[] NOT NULL DEFAULT '{}',
    ADD COLUMN cloud_init        jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN admin_name        text NOT NULL DEFAULT 'root',
    ADD COLUMN admin_secret      text NOT NULL DEFAULT '',
    ADD COLUMN monitor_secret    text NOT NULL DEFAULT '',
    ADD COLUMN display_protocol  text NOT NULL DEFAULT 'vnc',
    ADD COLUMN cpu_priority      text NOT NULL DEFAULT 'medium' CHECK (cpu_priority IN ('high', 'medium', 'low')),
    ADD COLUMN qos_write_speed   bigint NOT NULL DEFAULT 0 CHECK (qos_write_speed >= 0),
    ADD COLUMN qos_write_iops    bigint NOT NULL DEFAULT 0 CHECK (qos_write_iops >= 0),
    ADD COLUMN qos_read_speed    bigint NOT NULL DEFAULT 0 CHECK (qos_read_speed >= 0),
    ADD COLUMN qos_read_iops     bigint NOT NULL DEFAULT 0 CHECK (qos_read_iops >= 0),
    ADD COLUMN qos_receive_speed bigint NOT NULL DEFAULT 0 CHECK (qos_receive_speed >= 0),
    ADD COLUMN qos_send_speed    bigint NOT NULL DEFAULT 0 CHECK (qos_send_speed >= 0),
    ADD COLUMN policy_default    text NOT NULL DEFAULT 'accept' CHECK (policy_default IN ('accept', 'reject')),
    ADD COLUMN policy_rules      jsonb NOT NULL DEFAULT '[]',
    -- observed
    ADD COLUMN progress          integer NOT NULL DEFAULT 0,
    ADD COLUMN display_address   text NOT NULL DEFAULT '',
    ADD COLUMN memory_available  bigint NOT NULL DEFAULT 0,
    ADD COLUMN disk_available    bigint NOT NULL DEFAULT 0,
    ADD COLUMN bytes_read        bigint NOT NULL DEFAULT 0,
    ADD COLUMN bytes_written     bigint NOT NULL DEFAULT 0,
    ADD COLUMN bytes_received    bigint NOT NULL DEFAULT 0,
    ADD COLUMN bytes_sent        bigint NOT NULL DEFAULT 0,
    ADD COLUMN media_attached    boolean NOT NULL DEFAULT false,
    ADD COLUMN media_source      text NOT NULL DEFAULT '',
    ADD COLUMN observed_at       timestamptz;

-- Lists page by key, newest last.
CREATE INDEX guests_pool_created_idx ON guests (pool_id, created_at, id);

-- Long-running work: one row per change a host must carry out. The same rows back Nano's
-- batch and migration status, Danube's task_id and TRS's tasks. A reconciler runs the oldest
-- open operation of each guest on a cell it holds the lease for; operations are idempotent,
-- so one left 'running' by a crashed reconciler is simply run again by the next holder.
CREATE TABLE operations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL,
    guest_id    uuid,               -- no foreign key: the row outlives a deleted guest
    cell_id     bigint REFERENCES cells ON DELETE SET NULL,
    batch_id    uuid,
    owner_id    bigint REFERENCES users ON DELETE SET NULL,
    dialect     text NOT NULL DEFAULT 'nano',
    params      jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'done', 'failed', 'revoked')),
    progress    integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error       text NOT NULL DEFAULT '',
    result      jsonb,
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX operations_open_idx ON operations (cell_id, guest_id, created_at)
    WHERE status IN ('pending', 'running');
CREATE INDEX operations_batch_idx ON operations (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX operations_guest_idx ON operations (guest_id, created_at);

-- A new operation wakes the reconcilers at once.
CREATE FUNCTION notify_operations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nimbus_operations', '');
    RETURN NULL;
END $$;
CREATE TRIGGER operations_added AFTER INSERT ON operations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_operations();

-- Snapshots as the reconciler last observed them on the host (the API never asks libvirt).
CREATE TABLE snapshots (
    guest_id    uuid NOT NULL REFERENCES guests ON DELETE CASCADE,
    name        text NOT NULL,
    parent      text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    is_current  boolean NOT NULL DEFAULT false,
    running     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guest_id, name)
);
