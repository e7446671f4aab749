-- A guest's growth (more cores, memory or disk) is the row's only once the host has it, so
-- until its operation ends it is a pending charge, as Astakos keeps an unresolved commission:
-- the queuing transaction raises usage_max of the holdings it would move (the project's own
-- and the owner's there) under their row locks, and records what it raised on the operation
-- (db/queries/quotas.def, QUOTA_GUEST_PEND), so concurrent growths serialize and the second
-- sees the first. However the operation ends (done, failed, revoked, or its row deleted) the
-- pending part is released in that same transaction, exactly once (the charge is cleared as
-- it is released); on success the guest row's change in that transaction has already moved
-- usage_min and usage_max (migration 019), so usage ends up what the row says.
ALTER TABLE operations ADD COLUMN charge jsonb;  -- {project_id, owner_id, cores, memory, disk}

-- Gives back a pending charge: usage_max of the holdings that still exist (a deleted project or
-- owner took its holdings with it), locked in NB_QUOTA_LOCK_ORDER (project, user first null,
-- resource), as every statement that changes holdings locks them.
CREATE FUNCTION holdings_release(c jsonb) RETURNS void LANGUAGE sql AS $$
    UPDATE holdings h SET usage_max = h.usage_max - l.q
      FROM (SELECT h2.id, d.q
              FROM (VALUES ('cyclades.cpu', (c->>'cores')::bigint),
                           ('cyclades.ram', (c->>'memory')::bigint),
                           ('cyclades.disk', (c->>'disk')::bigint)) AS d(name, q)
              JOIN resources r ON r.name = d.name
              JOIN holdings h2 ON h2.project_id = (c->>'project_id')::uuid
               AND h2.resource_id = r.id
               AND (h2.user_id IS NULL OR h2.user_id = (c->>'owner_id')::bigint)
             WHERE d.q > 0
             ORDER BY h2.project_id, h2.user_id NULLS FIRST, h2.resource_id
               FOR UPDATE OF h2) l
     WHERE h.id = l.id
$$;

CREATE FUNCTION operations_release_charge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM holdings_release(OLD.charge);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.charge := NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER operations_charge_settled BEFORE UPDATE OF status ON operations
    FOR EACH ROW
    WHEN (OLD.charge IS NOT NULL AND NEW.status IN ('done', 'failed', 'revoked'))
    EXECUTE FUNCTION operations_release_charge();
CREATE TRIGGER operations_charge_dropped BEFORE DELETE ON operations
    FOR EACH ROW WHEN (OLD.charge IS NOT NULL)
    EXECUTE FUNCTION operations_release_charge();
