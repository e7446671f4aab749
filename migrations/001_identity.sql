-- Identity core shared by every dialect: users, Nano groups and roles, credentials, audit log.

CREATE TABLE roles (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    menu       text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_groups (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    display    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_roles (
    group_id bigint NOT NULL REFERENCES user_groups ON DELETE CASCADE,
    role_id  bigint NOT NULL REFERENCES roles,
    PRIMARY KEY (group_id, role_id)
);

-- One row per person, whatever dialect they use: Nano's user, Waldur's user (uuid),
-- Astakos's account (uuid), Keystone's user id, Danube's owner.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    uuid          uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name          text NOT NULL UNIQUE,
    password_hash text NOT NULL,            -- argon2id, encoded form
    nick          text NOT NULL DEFAULT '',
    mail          text NOT NULL DEFAULT '',
    group_id      bigint REFERENCES user_groups,  -- a user belongs to at most one Nano group
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_group_idx ON users (group_id);

-- Sessions and API tokens of every dialect. Only SHA-256 of the random token is stored.
CREATE TABLE credentials (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('nano', 'waldur', 'astakos', 'keystone', 'danube')),
    idle_timeout interval NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX credentials_user_idx ON credentials (user_id);
CREATE INDEX credentials_expiry_idx ON credentials (expires_at);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    user_id    bigint REFERENCES users ON DELETE SET NULL,
    dialect    text NOT NULL,
    request_id text NOT NULL DEFAULT '',
    entry      text NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- The built-in admin role sees every menu; the admin group holds it.
INSERT INTO roles (name, menu) VALUES
    ('admin', ARRAY['dashboard', 'compute_pool', 'address_pool', 'storage_pool', 'instance',
                    'disk_image', 'media_image', 'user', 'log', 'visibility', 'image_server',
                    'security_policy', 'system_template']);
INSERT INTO user_groups (name, display) VALUES ('admin', 'Administrators');
INSERT INTO group_roles (group_id, role_id)
    SELECT g.id, r.id FROM user_groups g, roles r WHERE g.name = 'admin' AND r.name = 'admin';
