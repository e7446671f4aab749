-- Monitor channels (Nano POST /monitor_channels/): a single-use, short-lived id that lets a
-- WebSocket client reach one guest's console through nginx and websockify. The channel is
-- bound to the display address the guest had when it was made.
CREATE TABLE monitor_channels (
    id          text PRIMARY KEY,
    guest_id    uuid NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    owner_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    address     text NOT NULL,               -- "host:port" of the guest's display
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX monitor_channels_expires_idx ON monitor_channels (expires_at);
