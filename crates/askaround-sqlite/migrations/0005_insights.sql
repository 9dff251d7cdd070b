-- Insights for learning & development leads: what the aggregates need beyond the projections of
-- 0003, and the indexes that keep every insights query within a range scan.

-- Whether an ask was ever on the board of open asks. Its state moves on (claimed, expired,
-- cancelled), so the fact is kept here, set by the database whenever the state becomes 'open'.
ALTER TABLE asks ADD COLUMN went_to_board INTEGER NOT NULL DEFAULT 0;
-- Existing asks: those still or last on the board, and those claimed from it while not yet
-- resolved (a resolved ask no longer records how it was matched).
UPDATE asks SET went_to_board = 1
WHERE state IN ('open', 'expired') OR json_extract(record, '$.state.via.kind') = 'board';
CREATE TRIGGER asks_went_to_board_on_update AFTER UPDATE OF state ON asks
WHEN NEW.state = 'open' AND NEW.went_to_board = 0
BEGIN
    UPDATE asks SET went_to_board = 1 WHERE id = NEW.id;
END;
CREATE TRIGGER asks_went_to_board_on_insert AFTER INSERT ON asks
WHEN NEW.state = 'open' AND NEW.went_to_board = 0
BEGIN
    UPDATE asks SET went_to_board = 1 WHERE id = NEW.id;
END;

-- When each person first helped with each skill (growth of helpers per skill), maintained as
-- asks are matched: a rollup, so the query reads one row per helper and skill, not every ask.
CREATE TABLE insights_skill_helpers (
    org_id    TEXT NOT NULL,
    skill_id  TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    helper_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    first_at  INTEGER NOT NULL,
    PRIMARY KEY (skill_id, helper_id)
);
CREATE INDEX insights_skill_helpers_by_first ON insights_skill_helpers (org_id, first_at, skill_id);
INSERT INTO insights_skill_helpers (org_id, skill_id, helper_id, first_at)
SELECT a.org_id, s.skill_id, a.helper_id, min(a.matched_at)
FROM asks a JOIN ask_skills s ON s.ask_id = a.id
WHERE a.helper_id IS NOT NULL AND a.matched_at IS NOT NULL
GROUP BY a.org_id, s.skill_id, a.helper_id;
CREATE TRIGGER asks_skill_helpers AFTER UPDATE OF matched_at ON asks
WHEN NEW.matched_at IS NOT NULL AND OLD.matched_at IS NULL AND NEW.helper_id IS NOT NULL
BEGIN
    INSERT INTO insights_skill_helpers (org_id, skill_id, helper_id, first_at)
    SELECT NEW.org_id, skill_id, NEW.helper_id, NEW.matched_at FROM ask_skills
    WHERE ask_id = NEW.id
    ON CONFLICT (skill_id, helper_id) DO UPDATE SET first_at = min(first_at, excluded.first_at);
END;

-- Asks by when they were made and by when they were matched, covering every column the
-- insights read (the id too, for joins to skills), so a range is one index scan without
-- touching the wide rows (text, record).
CREATE INDEX asks_insights_by_created ON asks (
    org_id, created_at, asker_id, matched_at, closed_at, state, people_interrupted, went_to_board, id
);
CREATE INDEX asks_insights_by_matched ON asks (org_id, matched_at, asker_id, helper_id)
WHERE matched_at IS NOT NULL;
CREATE INDEX people_insights ON people (org_id, active, team, location);
CREATE INDEX feedback_insights ON feedback (org_id, created_at, learner_id, rating);
CREATE INDEX offers_by_helper_sent ON offers (helper_id, sent_at);
