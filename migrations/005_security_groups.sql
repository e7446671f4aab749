-- Security policy groups: named, shareable rule sets a guest copies its security policy from
-- when it is created.

CREATE TABLE security_groups (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    -- the creator and the creator's group; a user's groups go with the user
    owner_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    group_id       bigint REFERENCES user_groups ON DELETE SET NULL,
    enabled        boolean NOT NULL DEFAULT true,
    global         boolean NOT NULL DEFAULT false, -- visible to every user
    default_action text NOT NULL DEFAULT 'accept' CHECK (default_action IN ('accept', 'reject')),
    rules          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rules) = 'array'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_groups_owner_idx ON security_groups (owner_id);
CREATE INDEX security_groups_group_idx ON security_groups (group_id);

-- The group a guest was created with. No ON DELETE action: a group in use cannot go, even
-- when a guest takes it up while the group is being deleted.
ALTER TABLE guests ADD COLUMN security_group_id uuid REFERENCES security_groups;
CREATE INDEX guests_security_group_idx ON guests (security_group_id)
    WHERE security_group_id IS NOT NULL;
