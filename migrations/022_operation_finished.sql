-- An operation that ends (done, failed or revoked) says so on the channel nimbus_op_done with
-- its id as payload, in the transaction that ends it: an API worker that queued it waits for
-- that notice (db/operations.c, nb_op_wait) before it answers, so a Nano call that the real
-- server answers after the host's work answers only once that work is over. The worker LISTENs
-- before it reads the row's status, so a notice cannot fall between the two.
CREATE FUNCTION notify_operation_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nimbus_op_done', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER operations_finished AFTER UPDATE OF status ON operations
    FOR EACH ROW
    WHEN (NEW.status IN ('done', 'failed', 'revoked') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_operation_finished();
