-- Astakos's quotaholder over the shared project model (018): services and their tokens, the
-- usage of each holding, and pending commissions with their provisions. Limits are not kept
-- here: a holding's limit is derived from project_resources, the project's state and the
-- membership (db/queries/quotas.def, NB_HOLDING_LIMIT), as Synnefo's qh_sync_* would copy it.

-- A service of this Astakos (Nimbus's own compute service, or another one): it issues
-- commissions with its token. Only SHA-256 of the random token is stored, like credentials.
CREATE TABLE services (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Usage per (holder, source, resource), as Synnefo's Holding keeps it without its limit: a
-- project's own holding (holder "project:<uuid>", source null) has user_id NULL; a member's
-- (holder "user:<uuid>", source "project:<uuid>") names the user. usage_max counts what is
-- used or promised, usage_min what is used for sure; pending = usage_max - usage_min. A row
-- appears with the first charge; a missing row is usage 0.
CREATE TABLE holdings (
    id          bigserial PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
    user_id     bigint REFERENCES users ON DELETE CASCADE,
    resource_id bigint NOT NULL REFERENCES resources ON DELETE CASCADE,
    usage_min   bigint NOT NULL DEFAULT 0,
    usage_max   bigint NOT NULL DEFAULT 0,
    CHECK (usage_min <= usage_max),
    UNIQUE NULLS NOT DISTINCT (project_id, user_id, resource_id)
);
CREATE INDEX holdings_user_idx ON holdings (user_id, project_id) WHERE user_id IS NOT NULL;

-- Pending commissions: serials from a sequence, as Synnefo's AutoField. A resolved commission
-- goes (its provisions with it); an auto-accepted one is never stored.
CREATE SEQUENCE commission_serials;
CREATE TABLE commissions (
    serial     bigint PRIMARY KEY,
    service_id bigint NOT NULL REFERENCES services ON DELETE CASCADE,
    name       text NOT NULL DEFAULT '',
    issued_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commissions_service_idx ON commissions (service_id, serial);

-- What a pending commission has promised or taken from each holding (same keys merged).
CREATE TABLE provisions (
    serial     bigint NOT NULL REFERENCES commissions ON DELETE CASCADE,
    holding_id bigint NOT NULL REFERENCES holdings ON DELETE CASCADE,
    quantity   bigint NOT NULL,
    PRIMARY KEY (serial, holding_id)
);
CREATE INDEX provisions_holding_idx ON provisions (holding_id);

-- Guests use the compute resources of the project they are charged to: every change of a
-- guest's size or project moves the usage of the project's holding and of its owner's
-- holding in that project (both accepted at once: a guest row is what exists). The check
-- that a new size fits runs before the write (db/quotas.c, nb_quota_guest_fits), under the
-- locks of the same rows, so this only keeps the books. Keys are taken in one order
-- (project, user first null, resource), the order every statement of db/quotas.c locks in.
CREATE FUNCTION holdings_charge_guests(rows jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO holdings AS h (project_id, user_id, resource_id, usage_min, usage_max)
    SELECT d.project_id, k.user_id, r.id, sum(d.q), sum(d.q)
      FROM jsonb_to_recordset(rows) AS g(project_id uuid, owner_id bigint, n bigint,
                                         cores bigint, memory bigint, disk bigint)
     CROSS JOIN LATERAL (VALUES ('cyclades.vm', g.project_id, g.n),
                                ('cyclades.cpu', g.project_id, g.cores),
                                ('cyclades.ram', g.project_id, g.memory),
                                ('cyclades.disk', g.project_id, g.disk)) AS d(name, project_id, q)
     CROSS JOIN LATERAL (VALUES (NULL::bigint), (g.owner_id)) AS k(user_id)
      JOIN resources r ON r.name = d.name
     GROUP BY d.project_id, k.user_id, r.id
    HAVING sum(d.q) <> 0
     ORDER BY d.project_id, k.user_id NULLS FIRST, r.id
    ON CONFLICT (project_id, user_id, resource_id) DO UPDATE
       SET usage_min = h.usage_min + EXCLUDED.usage_min,
           usage_max = h.usage_max + EXCLUDED.usage_max
$$;

-- Inserts and deletes: one charge per statement (a batch of a thousand guests is one upsert).
CREATE FUNCTION guests_quota_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM holdings_charge_guests((SELECT jsonb_agg(jsonb_build_object(
        'project_id', project_id, 'owner_id', owner_id, 'n', 1, 'cores', cores,
        'memory', memory, 'disk', total_disk)) FROM new_guests));
    RETURN NULL;
END $$;
CREATE FUNCTION guests_quota_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM holdings_charge_guests((SELECT jsonb_agg(jsonb_build_object(
        'project_id', project_id, 'owner_id', owner_id, 'n', -1, 'cores', -cores,
        'memory', -memory, 'disk', -total_disk)) FROM old_guests));
    RETURN NULL;
END $$;
-- A resize or a move to another project: the difference, row by row (transition tables do
-- not go with a column list, and most updates of a guest change none of these).
CREATE FUNCTION guests_quota_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM holdings_charge_guests(jsonb_build_array(
        jsonb_build_object('project_id', OLD.project_id, 'owner_id', OLD.owner_id, 'n', -1,
                           'cores', -OLD.cores, 'memory', -OLD.memory, 'disk', -OLD.total_disk),
        jsonb_build_object('project_id', NEW.project_id, 'owner_id', NEW.owner_id, 'n', 1,
                           'cores', NEW.cores, 'memory', NEW.memory, 'disk', NEW.total_disk)));
    RETURN NULL;
END $$;
CREATE TRIGGER guests_quota_insert AFTER INSERT ON guests
    REFERENCING NEW TABLE AS new_guests FOR EACH STATEMENT
    EXECUTE FUNCTION guests_quota_insert();
CREATE TRIGGER guests_quota_delete AFTER DELETE ON guests
    REFERENCING OLD TABLE AS old_guests FOR EACH STATEMENT
    EXECUTE FUNCTION guests_quota_delete();
CREATE TRIGGER guests_quota_update AFTER UPDATE OF cores, memory, disks, project_id, owner_id
    ON guests FOR EACH ROW
    WHEN (OLD.cores IS DISTINCT FROM NEW.cores OR OLD.memory IS DISTINCT FROM NEW.memory
          OR OLD.total_disk IS DISTINCT FROM NEW.total_disk
          OR OLD.project_id IS DISTINCT FROM NEW.project_id
          OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION guests_quota_update();

-- The guests there are already use what they use.
SELECT holdings_charge_guests((SELECT jsonb_agg(jsonb_build_object(
    'project_id', project_id, 'owner_id', owner_id, 'n', 1, 'cores', cores, 'memory', memory,
    'disk', total_disk)) FROM guests));
