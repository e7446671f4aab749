-- Media images (ISO) and disk images (qcow2): the records here, the files in the image store
-- ($NIMBUS_IMAGE_STORE, default $NIMBUS_STATE_DIR/images: media/ and disk/ under it).

CREATE TABLE images (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind         text NOT NULL CHECK (kind IN ('media', 'disk')),
    name         text NOT NULL,
    owner_id     bigint NOT NULL REFERENCES users,
    group_id     bigint REFERENCES user_groups ON DELETE SET NULL,
    description  text NOT NULL DEFAULT '',
    tags         text[] NOT NULL DEFAULT '{}',
    -- the file: its name inside the kind's directory, set once one is in place
    file         text NOT NULL DEFAULT '',
    created      boolean NOT NULL DEFAULT false,
    size         bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
    checksum     text NOT NULL DEFAULT '',    -- SHA-256 of the file, hex
    -- disk images cloned from a guest's system disk: the guest and the create_disk_image
    -- operation doing it (progress and failure are read from the operation)
    source_guest uuid,
    operation_id uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    modified_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name)
);
CREATE INDEX images_owner_idx ON images (owner_id);
CREATE INDEX images_kind_created_idx ON images (kind, created_at, id);
CREATE INDEX images_tags_idx ON images USING gin (tags);
