-- The shared project model (MODEL.md): projects with their applications, memberships and
-- resource limits, and each user's base project. Astakos fixes the columns; Waldur and TRS
-- add nullable columns of their own. States, policies and the base project follow Synnefo
-- Astakos (astakos/im/models.py, functions.py). Quota holdings and commissions are 019's.

-- What can be limited. base_limit is what a base project grants its user (Astakos's
-- uplimit); project_default is what any other project grants for a resource its
-- application did not name.
CREATE TABLE resources (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$'),
    service         text NOT NULL,              -- the service that registered it (service_origin)
    service_type    text NOT NULL,
    unit            text,                       -- NULL: a count; 'bytes'
    description     text NOT NULL DEFAULT '',
    base_limit      bigint NOT NULL DEFAULT 0 CHECK (base_limit >= 0),
    project_default bigint NOT NULL DEFAULT 0 CHECK (project_default >= 0),
    ui_visible      boolean NOT NULL DEFAULT true,
    api_visible     boolean NOT NULL DEFAULT true
);

-- One row per project of every dialect, one uuid. state is Astakos's: uninitialized until
-- its first application is approved, then active, suspended or terminated; deleted when
-- the first application of a never-approved project is dismissed or cancelled.
-- base_of marks a user's base project (its uuid is the user's); it goes with the user.
CREATE TABLE projects (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    owner_id         bigint REFERENCES users ON DELETE SET NULL,  -- NULL for base projects
    homepage         text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    start_date       timestamptz,
    end_date         timestamptz,
    join_policy      text NOT NULL DEFAULT 'moderated'
                     CHECK (join_policy IN ('auto', 'moderated', 'closed')),
    leave_policy     text NOT NULL DEFAULT 'auto'
                     CHECK (leave_policy IN ('auto', 'moderated', 'closed')),
    max_members      bigint NOT NULL DEFAULT 9223372036854775807 CHECK (max_members >= 0),
    private          boolean NOT NULL DEFAULT false,
    state            text NOT NULL DEFAULT 'uninitialized'
                     CHECK (state IN ('uninitialized', 'active', 'suspended', 'terminated',
                                      'deleted')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    deactivated_at   timestamptz,               -- last suspension or termination
    last_application bigint,                    -- references project_applications, below
    base_of          bigint UNIQUE REFERENCES users ON DELETE CASCADE,
    CHECK (base_of IS NULL OR owner_id IS NULL)
);
CREATE INDEX projects_owner_idx ON projects (owner_id);
CREATE INDEX projects_state_idx ON projects (state, id);

-- Every change to a project is asked for by an application: the first creates the project
-- (uninitialized), later ones modify it. NULL fields of a modification leave the project's
-- value as it is. Only the project's last application can be acted on; a new one replaces
-- (state 'replaced') a pending predecessor.
CREATE TABLE project_applications (
    id             bigserial PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
    applicant_id   bigint REFERENCES users ON DELETE SET NULL,
    state          text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'approved', 'replaced', 'denied', 'dismissed',
                                    'cancelled')),
    name           text CHECK (length(name) BETWEEN 1 AND 255),
    owner_id       bigint REFERENCES users ON DELETE SET NULL,
    homepage       text,
    description    text,
    start_date     timestamptz,
    end_date       timestamptz,
    join_policy    text CHECK (join_policy IN ('auto', 'moderated', 'closed')),
    leave_policy   text CHECK (leave_policy IN ('auto', 'moderated', 'closed')),
    max_members    bigint CHECK (max_members >= 0),
    private        boolean,
    comments       text NOT NULL DEFAULT '',
    issued_at      timestamptz NOT NULL DEFAULT now(),
    responded_at   timestamptz,                 -- approved or denied
    response       text,
    response_actor bigint REFERENCES users ON DELETE SET NULL,
    waived_at      timestamptz,                 -- dismissed or cancelled
    waive_reason   text,
    waive_actor    bigint REFERENCES users ON DELETE SET NULL
);
CREATE INDEX project_applications_project_idx ON project_applications (project_id, id);
CREATE INDEX project_applications_applicant_idx ON project_applications (applicant_id);
ALTER TABLE projects ADD FOREIGN KEY (last_application) REFERENCES project_applications;

-- The limits an application asks for, applied to project_resources on approval.
CREATE TABLE project_application_resources (
    application_id   bigint NOT NULL REFERENCES project_applications ON DELETE CASCADE,
    resource_id      bigint NOT NULL REFERENCES resources ON DELETE CASCADE,
    project_capacity bigint NOT NULL CHECK (project_capacity >= 0),
    member_capacity  bigint NOT NULL CHECK (member_capacity >= 0),
    PRIMARY KEY (application_id, resource_id)
);

-- A project's limits: project_capacity for the whole project, member_capacity for each
-- accepted member. A user's limits are derived from these and the accepted memberships.
CREATE TABLE project_resources (
    project_id       uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
    resource_id      bigint NOT NULL REFERENCES resources ON DELETE CASCADE,
    project_capacity bigint NOT NULL CHECK (project_capacity >= 0),
    member_capacity  bigint NOT NULL CHECK (member_capacity >= 0),
    PRIMARY KEY (project_id, resource_id)
);
CREATE INDEX project_resources_resource_idx ON project_resources (resource_id);

-- Who belongs to a project and how. Astakos memberships have role 'member' and move through
-- Astakos's states; 'accepted', 'leave_requested' and 'suspended' hold the project's member
-- quota. state_dates keeps when the membership last entered each state ({"accepted": ts}).
CREATE TABLE project_members (
    id          bigserial PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role        text NOT NULL DEFAULT 'member' CHECK (role <> ''),
    state       text NOT NULL DEFAULT 'requested'
                CHECK (state IN ('requested', 'accepted', 'leave_requested', 'suspended',
                                 'rejected', 'cancelled', 'removed')),
    state_dates jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, user_id, role)
);
CREATE INDEX project_members_user_idx ON project_members (user_id, state);

-- Nimbus is the compute service of its own Astakos: the resources its guests use.
INSERT INTO resources (name, service, service_type, unit, description, base_limit,
                       project_default) VALUES
    ('cyclades.vm', 'cyclades_compute', 'compute', NULL, 'Number of virtual machines', 100, 0),
    ('cyclades.cpu', 'cyclades_compute', 'compute', NULL,
     'Number of virtual machine processors', 400, 0),
    ('cyclades.ram', 'cyclades_compute', 'compute', 'bytes', 'Virtual machine memory size',
     1099511627776, 0),
    ('cyclades.disk', 'cyclades_compute', 'compute', 'bytes', 'Virtual machine disk size',
     17592186044416, 0);

-- A resource registered later is granted at once by every initialized project, as Astakos's
-- qh_sync_new_resource does: base projects grant base_limit, the others project_default.
-- Base projects made later get every resource from nb_user_create's statement.
CREATE FUNCTION resources_grant_everywhere() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_resources (project_id, resource_id, project_capacity, member_capacity)
    SELECT p.id, NEW.id,
           CASE WHEN p.base_of IS NULL THEN NEW.project_default ELSE NEW.base_limit END,
           CASE WHEN p.base_of IS NULL THEN NEW.project_default ELSE NEW.base_limit END
      FROM projects p WHERE p.state IN ('active', 'suspended', 'terminated')
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER resources_grant_everywhere AFTER INSERT ON resources
    FOR EACH ROW EXECUTE FUNCTION resources_grant_everywhere();

-- Base projects of the users there are (Astakos's make_base_project and
-- enable_base_project): active, closed to joining and leaving, one member, private.
INSERT INTO projects (id, name, description, end_date, join_policy, leave_policy, max_members,
                      private, state, base_of)
SELECT u.uuid, 'system:' || u.uuid, 'system project for user ' || u.name,
       now() + interval '100 years', 'closed', 'closed', 1, true, 'active', u.id
  FROM users u;
INSERT INTO project_members (project_id, user_id, state, state_dates)
SELECT p.id, p.base_of, 'accepted', jsonb_build_object('accepted', now())
  FROM projects p WHERE p.base_of IS NOT NULL;
INSERT INTO project_resources (project_id, resource_id, project_capacity, member_capacity)
SELECT p.id, r.id, r.base_limit, r.base_limit
  FROM projects p, resources r WHERE p.base_of IS NOT NULL;

-- The project a guest is charged to. A guest made without one is charged to its owner's
-- base project: filled in on insert, so every guest names its project.
ALTER TABLE guests ADD COLUMN project_id uuid REFERENCES projects;
UPDATE guests g SET project_id = u.uuid FROM users u WHERE u.id = g.owner_id;
ALTER TABLE guests ALTER COLUMN project_id SET NOT NULL;
CREATE INDEX guests_project_idx ON guests (project_id);

CREATE FUNCTION guests_charge_base_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.project_id IS NULL THEN
        SELECT uuid INTO NEW.project_id FROM users WHERE id = NEW.owner_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER guests_charge_base_project BEFORE INSERT ON guests
    FOR EACH ROW EXECUTE FUNCTION guests_charge_base_project();
