-- Workers remember the credentials they have resolved (app/credential_cache.h). Whatever can
-- change or end what a credential resolves to announces itself on nimbus_credentials, in the
-- changing transaction: the notification reaches every listening worker at commit, the
-- committing one included, before its client hears of the change. New credentials and
-- keep-alives (which only extend a credential) need no announcement; an expiry moved
-- earlier (an operator ending a session by hand) does.
CREATE FUNCTION credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nimbus_credentials', '');
    RETURN NULL;
END $$;
CREATE TRIGGER credentials_ended AFTER DELETE OR TRUNCATE ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER credentials_moved AFTER UPDATE OF token_hash, user_id ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER credentials_shortened AFTER UPDATE OF expires_at ON credentials
    FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at) EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER users_changed AFTER UPDATE OF name, uuid, group_id, active OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER user_groups_changed AFTER UPDATE OR DELETE ON user_groups
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
