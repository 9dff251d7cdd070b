-- Which asks changed, for the speed figures held in memory (`askaround_store::speed_facts`):
-- a process holding an organisation's asks re-reads the asks logged here since it last looked,
-- whoever wrote them (another node, `askaround import`).
--
-- Unlike SQLite's log (0011 there), sequence order is not commit order here: a transaction may
-- take a number and commit after one that took a later number, so "after the last number I
-- read" would miss it. Each row therefore carries the writer's transaction id. A reader notes
-- `pg_snapshot_xmin` of the snapshot it read the log in (every transaction with a lower id had
-- finished by then, so its rows were visible), and next time reads every row with `xid` at or
-- above it: everything that could have been invisible last time. Re-applying an ask's current
-- state is harmless, so reading some rows twice costs nothing but time.
CREATE TABLE insights_ask_changes (
    seq       bigserial PRIMARY KEY,
    ask_id    uuid NOT NULL,
    xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    logged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX insights_ask_changes_by_xid ON insights_ask_changes (xid);

-- Rows with `xid` below `below` may have been deleted: a reader whose cursor is lower reads its
-- organisations again. One row; pruners lock it, so they take turns.
CREATE TABLE insights_ask_changes_pruned (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    below    xid8 NOT NULL DEFAULT '0'
);
INSERT INTO insights_ask_changes_pruned DEFAULT VALUES;

-- Bulk paths (import, migrate-data batches) insert and delete many asks per statement: one
-- statement trigger over the transition table each.
CREATE FUNCTION insights_ask_changes_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id) SELECT id FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_added AFTER INSERT ON asks
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_changes_added();

CREATE FUNCTION insights_ask_changes_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id) SELECT id FROM removed;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_removed AFTER DELETE ON asks
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_changes_removed();

-- Only the columns the speed figures read: the store rewrites others (the JSON record, the
-- version) on every step of an ask.
CREATE FUNCTION insights_ask_changes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (NEW.id);
    IF NEW.id <> OLD.id THEN
        INSERT INTO insights_ask_changes (ask_id) VALUES (OLD.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_changed
AFTER UPDATE OF id, org_id, asker_id, created_at, matched_at, closed_at, state,
    people_interrupted, went_to_board ON asks
FOR EACH ROW
WHEN (NEW.id IS DISTINCT FROM OLD.id OR NEW.org_id IS DISTINCT FROM OLD.org_id
    OR NEW.asker_id IS DISTINCT FROM OLD.asker_id
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.matched_at IS DISTINCT FROM OLD.matched_at
    OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
    OR (NEW.state = 'resolved') IS DISTINCT FROM (OLD.state = 'resolved')
    OR NEW.people_interrupted IS DISTINCT FROM OLD.people_interrupted
    OR NEW.went_to_board IS DISTINCT FROM OLD.went_to_board)
EXECUTE FUNCTION insights_ask_changes_changed();

-- The store rewrites an ask's skills with each step (delete, then insert), so these log most
-- steps again; a merge of skills deletes the merged one's rows by cascade.
CREATE FUNCTION insights_ask_changes_skills_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id) SELECT DISTINCT ask_id FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_skills_added AFTER INSERT ON ask_skills
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_changes_skills_added();

CREATE FUNCTION insights_ask_changes_skills_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id) SELECT DISTINCT ask_id FROM removed;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_skills_removed AFTER DELETE ON ask_skills
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_changes_skills_removed();

CREATE FUNCTION insights_ask_changes_skills_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_changes (ask_id)
    SELECT ask_id FROM removed UNION SELECT ask_id FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER insights_ask_changes_skills_moved AFTER UPDATE ON ask_skills
REFERENCING OLD TABLE AS removed NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_changes_skills_moved();
