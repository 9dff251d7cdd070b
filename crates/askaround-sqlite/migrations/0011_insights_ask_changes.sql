-- Which asks changed, in commit order, for the speed figures kept in memory
-- (`askaround_core::insights::ask_facts`): a process holding an organisation's asks reads the
-- rows after the last one it applied and re-reads those asks, whoever wrote them (this process,
-- `askaround import` in another). AUTOINCREMENT never reuses a number and SQLite has one writer
-- at a time, so committed numbers have no gaps: a reader that finds one knows rows it had not
-- read were pruned, and reloads. Rows are pruned once the serving process has applied them.
-- Asks are named by id, not rowid: VACUUM may renumber the rowids of a table without an INTEGER
-- PRIMARY KEY.
CREATE TABLE insights_ask_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    ask_id TEXT NOT NULL
);

CREATE TRIGGER insights_ask_changes_on_insert AFTER INSERT ON asks
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (NEW.id);
END;

-- Only the columns the speed figures read change it: the store rewrites others (the JSON record,
-- the version) on every step of an ask.
CREATE TRIGGER insights_ask_changes_on_update
AFTER UPDATE OF org_id, asker_id, created_at, matched_at, closed_at, state, people_interrupted,
    went_to_board ON asks
WHEN NEW.org_id IS NOT OLD.org_id OR NEW.asker_id IS NOT OLD.asker_id
    OR NEW.created_at IS NOT OLD.created_at OR NEW.matched_at IS NOT OLD.matched_at
    OR NEW.closed_at IS NOT OLD.closed_at
    OR (NEW.state = 'resolved') IS NOT (OLD.state = 'resolved')
    OR NEW.people_interrupted IS NOT OLD.people_interrupted
    OR NEW.went_to_board IS NOT OLD.went_to_board
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (NEW.id);
END;

CREATE TRIGGER insights_ask_changes_on_delete AFTER DELETE ON asks
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (OLD.id);
END;

-- The store rewrites an ask's skills with each step (delete, then insert), so these log most
-- steps again; a merge of skills deletes the merged one's rows by cascade.
CREATE TRIGGER insights_ask_changes_on_skill_insert AFTER INSERT ON ask_skills
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (NEW.ask_id);
END;

CREATE TRIGGER insights_ask_changes_on_skill_update AFTER UPDATE ON ask_skills
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (OLD.ask_id);
    INSERT INTO insights_ask_changes (ask_id) VALUES (NEW.ask_id);
END;

CREATE TRIGGER insights_ask_changes_on_skill_delete AFTER DELETE ON ask_skills
BEGIN
    INSERT INTO insights_ask_changes (ask_id) VALUES (OLD.ask_id);
END;
