-- Insights rollups for skills supply and demand, kept by triggers, so the query reads a few
-- hundred rollup rows per week of the range instead of every ask of it.
--
-- Three tables:
-- - `insights_ask_skills`: one narrow row per (ask, skill) with what the skill figures need
--   (asker, when asked, answered, unmet). Raw rows for the slivers of a range that no rollup
--   bucket covers, for distinct askers (read per skill with a LIMIT), and for a team's or
--   location's asks (read per person in scope).
-- - `insights_skill_buckets`: per skill and UTC day (span 1) and 7-day block (span 7,
--   `created_at / 7 days`): asks, answered, unmet, and people who first helped with the skill.
--   A range is its whole blocks, then whole days, then raw slivers under a day at either end,
--   so the figures are exact whatever the organisation's zone.
-- - `insights_skill_totals`: per skill, active holders and people who ever helped with it.
--
-- Every counter is changed by the difference between the old and the new state, so the store
-- rewriting an ask's skills on every transition (delete, then insert) nets out.

CREATE TABLE insights_ask_skills (
    ask_id     TEXT NOT NULL,
    skill_id   TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    asker_id   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- matched_at IS NOT NULL
    answered   INTEGER NOT NULL,
    -- matched_at IS NULL AND went_to_board = 1
    unmet      INTEGER NOT NULL,
    PRIMARY KEY (ask_id, skill_id)
) WITHOUT ROWID;

CREATE TABLE insights_skill_buckets (
    org_id      TEXT NOT NULL,
    span        INTEGER NOT NULL,
    bucket      INTEGER NOT NULL,
    skill_id    TEXT NOT NULL,
    asks        INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    unmet       INTEGER NOT NULL DEFAULT 0,
    new_helpers INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, skill_id)
) WITHOUT ROWID;

CREATE TABLE insights_skill_totals (
    skill_id TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL,
    holders  INTEGER NOT NULL DEFAULT 0,
    helpers  INTEGER NOT NULL DEFAULT 0
);

-- Backfill from what 0003–0006 hold.
INSERT INTO insights_ask_skills (ask_id, skill_id, org_id, asker_id, created_at, answered, unmet)
SELECT s.ask_id, s.skill_id, a.org_id, a.asker_id, a.created_at,
    a.matched_at IS NOT NULL, a.matched_at IS NULL AND a.went_to_board = 1
FROM ask_skills s JOIN asks a ON a.id = s.ask_id;

INSERT INTO insights_skill_buckets (org_id, span, bucket, skill_id, asks, answered, unmet, new_helpers)
SELECT org_id, span, bucket, skill_id, sum(asks), sum(answered), sum(unmet), sum(new_helpers)
FROM (
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000) AS bucket, f.skill_id,
        1 AS asks, f.answered, f.unmet, 0 AS new_helpers
    FROM insights_ask_skills f, (SELECT 1 AS span UNION ALL SELECT 7) s
    UNION ALL
    SELECT h.org_id, s.span, h.first_at / (s.span * 86400000), h.skill_id, 0, 0, 0, 1
    FROM insights_skill_helpers h, (SELECT 1 AS span UNION ALL SELECT 7) s
)
GROUP BY org_id, span, bucket, skill_id;

INSERT INTO insights_skill_totals (skill_id, org_id, holders, helpers)
SELECT k.id, k.org_id,
    (SELECT count(*) FROM person_skills ps JOIN people p ON p.id = ps.person_id
     WHERE ps.skill_id = k.id AND p.active = 1),
    (SELECT count(*) FROM insights_skill_helpers h WHERE h.skill_id = k.id)
FROM skills k;

-- Indexes after the backfill: cheaper than maintaining them row by row.
-- Raw slivers of the whole organisation.
CREATE INDEX insights_ask_skills_by_created
    ON insights_ask_skills (org_id, created_at, skill_id, answered, unmet);
-- Distinct askers of one skill in a range, read until enough are found.
CREATE INDEX insights_ask_skills_by_skill ON insights_ask_skills (skill_id, created_at, asker_id);
-- The asks of the people in a team or location.
CREATE INDEX insights_ask_skills_by_asker
    ON insights_ask_skills (asker_id, created_at, skill_id, answered, unmet);

-- An ask's skill added: its fact row, then its buckets (the fact row gives org and time).
CREATE TRIGGER insights_ask_skills_added AFTER INSERT ON ask_skills
BEGIN
    INSERT INTO insights_ask_skills (ask_id, skill_id, org_id, asker_id, created_at, answered, unmet)
    SELECT NEW.ask_id, NEW.skill_id, a.org_id, a.asker_id, a.created_at,
        a.matched_at IS NOT NULL, a.matched_at IS NULL AND a.went_to_board = 1
    FROM asks a WHERE a.id = NEW.ask_id;
    INSERT INTO insights_skill_buckets (org_id, span, bucket, skill_id, asks, answered, unmet)
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id, 1, f.answered, f.unmet
    FROM insights_ask_skills f, (SELECT 1 AS span UNION ALL SELECT 7) s
    WHERE f.ask_id = NEW.ask_id AND f.skill_id = NEW.skill_id
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        asks = insights_skill_buckets.asks + 1,
        answered = insights_skill_buckets.answered + excluded.answered,
        unmet = insights_skill_buckets.unmet + excluded.unmet;
END;

-- An ask's skill removed (rewritten by the store, or the ask or skill deleted): the fact row
-- says what it had added, even when the ask row is already gone.
CREATE TRIGGER insights_ask_skills_removed AFTER DELETE ON ask_skills
BEGIN
    UPDATE insights_skill_buckets SET
        asks = insights_skill_buckets.asks - 1,
        answered = insights_skill_buckets.answered - f.answered,
        unmet = insights_skill_buckets.unmet - f.unmet
    FROM insights_ask_skills f, (SELECT 1 AS span UNION ALL SELECT 7) s
    WHERE f.ask_id = OLD.ask_id AND f.skill_id = OLD.skill_id
        AND insights_skill_buckets.org_id = f.org_id
        AND insights_skill_buckets.span = s.span
        AND insights_skill_buckets.bucket = f.created_at / (s.span * 86400000)
        AND insights_skill_buckets.skill_id = f.skill_id;
    DELETE FROM insights_ask_skills WHERE ask_id = OLD.ask_id AND skill_id = OLD.skill_id;
END;

-- An ask answered or sent to the board: its skills' counters move by the difference. The new
-- state is read from the row as it is now, not from NEW: 0005's trigger sets went_to_board in a
-- nested UPDATE, and whichever of these runs last must leave the current state.
CREATE TRIGGER insights_asks_outcome AFTER UPDATE OF matched_at, went_to_board ON asks
WHEN (OLD.matched_at IS NULL) <> (NEW.matched_at IS NULL) OR OLD.went_to_board <> NEW.went_to_board
BEGIN
    UPDATE insights_skill_buckets SET
        answered = insights_skill_buckets.answered + now.answered - f.answered,
        unmet = insights_skill_buckets.unmet + now.unmet - f.unmet
    FROM insights_ask_skills f, (SELECT 1 AS span UNION ALL SELECT 7) s,
        (SELECT matched_at IS NOT NULL AS answered,
                matched_at IS NULL AND went_to_board = 1 AS unmet
         FROM asks WHERE id = NEW.id) now
    WHERE f.ask_id = NEW.id
        AND insights_skill_buckets.org_id = f.org_id
        AND insights_skill_buckets.span = s.span
        AND insights_skill_buckets.bucket = f.created_at / (s.span * 86400000)
        AND insights_skill_buckets.skill_id = f.skill_id;
    UPDATE insights_ask_skills SET
        answered = now.answered,
        unmet = now.unmet
    FROM (SELECT matched_at IS NOT NULL AS answered,
                 matched_at IS NULL AND went_to_board = 1 AS unmet
          FROM asks WHERE id = NEW.id) now
    WHERE insights_ask_skills.ask_id = NEW.id;
END;

-- First helps with a skill (0005's `insights_skill_helpers`): growth per bucket, and the total.
CREATE TRIGGER insights_skill_helpers_added AFTER INSERT ON insights_skill_helpers
BEGIN
    INSERT INTO insights_skill_buckets (org_id, span, bucket, skill_id, new_helpers)
    SELECT NEW.org_id, s.span, NEW.first_at / (s.span * 86400000), NEW.skill_id, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET new_helpers = insights_skill_buckets.new_helpers + 1;
    INSERT INTO insights_skill_totals (skill_id, org_id, helpers) VALUES (NEW.skill_id, NEW.org_id, 1)
    ON CONFLICT (skill_id) DO UPDATE SET helpers = helpers + 1;
END;

CREATE TRIGGER insights_skill_helpers_moved AFTER UPDATE OF first_at ON insights_skill_helpers
WHEN OLD.first_at <> NEW.first_at
BEGIN
    UPDATE insights_skill_buckets SET new_helpers = new_helpers - 1
    WHERE org_id = OLD.org_id AND skill_id = OLD.skill_id
        AND ((span = 1 AND bucket = OLD.first_at / 86400000)
            OR (span = 7 AND bucket = OLD.first_at / (7 * 86400000)));
    INSERT INTO insights_skill_buckets (org_id, span, bucket, skill_id, new_helpers)
    SELECT NEW.org_id, s.span, NEW.first_at / (s.span * 86400000), NEW.skill_id, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET new_helpers = insights_skill_buckets.new_helpers + 1;
END;

CREATE TRIGGER insights_skill_helpers_removed AFTER DELETE ON insights_skill_helpers
BEGIN
    UPDATE insights_skill_buckets SET new_helpers = new_helpers - 1
    WHERE org_id = OLD.org_id AND skill_id = OLD.skill_id
        AND ((span = 1 AND bucket = OLD.first_at / 86400000)
            OR (span = 7 AND bucket = OLD.first_at / (7 * 86400000)));
    UPDATE insights_skill_totals SET helpers = helpers - 1 WHERE skill_id = OLD.skill_id;
END;

-- Holders: active people who list the skill.
CREATE TRIGGER insights_holders_added AFTER INSERT ON person_skills
BEGIN
    INSERT INTO insights_skill_totals (skill_id, org_id, holders)
    SELECT NEW.skill_id, p.org_id, 1 FROM people p WHERE p.id = NEW.person_id AND p.active = 1
    ON CONFLICT (skill_id) DO UPDATE SET holders = holders + 1;
END;

-- A person deleted takes their skills with them by cascade, after their row is gone; their
-- skills are counted out here instead, while the row still says whether they were active.
CREATE TRIGGER insights_holders_removed AFTER DELETE ON person_skills
BEGIN
    UPDATE insights_skill_totals SET holders = holders - 1
    WHERE skill_id = OLD.skill_id
        AND EXISTS (SELECT 1 FROM people p WHERE p.id = OLD.person_id AND p.active = 1);
END;

CREATE TRIGGER insights_holders_person_deleted BEFORE DELETE ON people
WHEN OLD.active = 1
BEGIN
    UPDATE insights_skill_totals SET holders = holders - 1
    WHERE skill_id IN (SELECT skill_id FROM person_skills WHERE person_id = OLD.id);
END;

CREATE TRIGGER insights_holders_active AFTER UPDATE OF active ON people
WHEN OLD.active <> NEW.active
BEGIN
    INSERT INTO insights_skill_totals (skill_id, org_id, holders)
    SELECT ps.skill_id, NEW.org_id, CASE WHEN NEW.active = 1 THEN 1 ELSE -1 END
    FROM person_skills ps WHERE ps.person_id = NEW.id
    ON CONFLICT (skill_id) DO UPDATE SET
        holders = holders + CASE WHEN NEW.active = 1 THEN 1 ELSE -1 END;
END;

-- Quality: ratings per UTC day and 7-day block, and what learners said they learned.
-- - `insights_rating_buckets`: ratings given per bucket and rating.
-- - `insights_learned`: one row per (feedback, learned skill), whichever of the two was written
--   last, with the learner and when the feedback was given.
-- - `insights_learned_buckets`: times each skill was named per bucket.
-- - `insights_learned_pairs`: per (skill, learner), their first and last naming of it. Learners
--   of a skill in a range are then counted exactly without reading every naming: those whose
--   first or last naming is inside the range, plus those who straddle it (first before, last
--   after) with a naming inside, looked up one by one (none when the range ends today).

CREATE TABLE insights_rating_buckets (
    org_id TEXT NOT NULL,
    span   INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    rating INTEGER NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, rating)
) WITHOUT ROWID;

CREATE TABLE insights_learned (
    ask_id     TEXT NOT NULL,
    skill_id   TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (ask_id, skill_id)
) WITHOUT ROWID;

CREATE TABLE insights_learned_buckets (
    org_id   TEXT NOT NULL,
    span     INTEGER NOT NULL,
    bucket   INTEGER NOT NULL,
    skill_id TEXT NOT NULL,
    times    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, skill_id)
) WITHOUT ROWID;

-- Per skill: namings and (skill, learner) pairs in all, so a range covering most of a skill's
-- namings counts its learners from what lies outside it (pairs entirely before or after).
CREATE TABLE insights_learned_totals (
    skill_id TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL,
    times    INTEGER NOT NULL DEFAULT 0,
    pairs    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE insights_learned_pairs (
    skill_id   TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    first_at   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (skill_id, learner_id)
) WITHOUT ROWID;

INSERT INTO insights_rating_buckets (org_id, span, bucket, rating, n)
SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.rating, count(*)
FROM feedback f, (SELECT 1 AS span UNION ALL SELECT 7) s
GROUP BY 1, 2, 3, 4;

INSERT INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
SELECT l.ask_id, l.skill_id, f.org_id, f.learner_id, f.created_at
FROM learned_skills l JOIN feedback f ON f.ask_id = l.ask_id;

INSERT INTO insights_learned_buckets (org_id, span, bucket, skill_id, times)
SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id, count(*)
FROM insights_learned f, (SELECT 1 AS span UNION ALL SELECT 7) s
GROUP BY 1, 2, 3, 4;

INSERT INTO insights_learned_pairs (skill_id, learner_id, org_id, first_at, last_at)
SELECT skill_id, learner_id, org_id, min(created_at), max(created_at)
FROM insights_learned GROUP BY skill_id, learner_id, org_id;

INSERT INTO insights_learned_totals (skill_id, org_id, times, pairs)
SELECT skill_id, org_id, count(*), count(DISTINCT learner_id)
FROM insights_learned GROUP BY skill_id, org_id;

-- Distinct learners per rating in a range, read until enough are found.
CREATE INDEX feedback_insights_by_rating ON feedback (org_id, rating, created_at, learner_id);
-- Ratings of the people in a team or location.
CREATE INDEX feedback_insights_by_learner ON feedback (learner_id, created_at, rating);
CREATE INDEX insights_learned_by_created ON insights_learned (org_id, created_at, skill_id);
CREATE INDEX insights_learned_by_learner ON insights_learned (learner_id, created_at, skill_id);
CREATE INDEX insights_learned_by_pair ON insights_learned (skill_id, learner_id, created_at);
CREATE INDEX insights_learned_pairs_by_first ON insights_learned_pairs (skill_id, first_at);
CREATE INDEX insights_learned_pairs_by_last ON insights_learned_pairs (skill_id, last_at, first_at);

CREATE TRIGGER insights_feedback_added AFTER INSERT ON feedback
BEGIN
    INSERT INTO insights_rating_buckets (org_id, span, bucket, rating, n)
    SELECT NEW.org_id, s.span, NEW.created_at / (s.span * 86400000), NEW.rating, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, rating) DO UPDATE SET n = insights_rating_buckets.n + 1;
    INSERT OR IGNORE INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
    SELECT NEW.ask_id, l.skill_id, NEW.org_id, NEW.learner_id, NEW.created_at
    FROM learned_skills l WHERE l.ask_id = NEW.ask_id;
END;

CREATE TRIGGER insights_feedback_removed AFTER DELETE ON feedback
BEGIN
    UPDATE insights_rating_buckets SET n = n - 1
    WHERE org_id = OLD.org_id AND rating = OLD.rating
        AND ((span = 1 AND bucket = OLD.created_at / 86400000)
            OR (span = 7 AND bucket = OLD.created_at / (7 * 86400000)));
    DELETE FROM insights_learned WHERE ask_id = OLD.ask_id;
END;

CREATE TRIGGER insights_learned_skill_added AFTER INSERT ON learned_skills
BEGIN
    INSERT OR IGNORE INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
    SELECT NEW.ask_id, NEW.skill_id, f.org_id, f.learner_id, f.created_at
    FROM feedback f WHERE f.ask_id = NEW.ask_id;
END;

CREATE TRIGGER insights_learned_skill_removed AFTER DELETE ON learned_skills
BEGIN
    DELETE FROM insights_learned WHERE ask_id = OLD.ask_id AND skill_id = OLD.skill_id;
END;

CREATE TRIGGER insights_learned_added AFTER INSERT ON insights_learned
BEGIN
    INSERT INTO insights_learned_buckets (org_id, span, bucket, skill_id, times)
    SELECT NEW.org_id, s.span, NEW.created_at / (s.span * 86400000), NEW.skill_id, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        times = insights_learned_buckets.times + 1;
    INSERT INTO insights_learned_totals (skill_id, org_id, times, pairs)
    VALUES (NEW.skill_id, NEW.org_id, 1, CASE WHEN EXISTS (
        SELECT 1 FROM insights_learned_pairs
        WHERE skill_id = NEW.skill_id AND learner_id = NEW.learner_id) THEN 0 ELSE 1 END)
    ON CONFLICT (skill_id) DO UPDATE SET
        times = insights_learned_totals.times + 1,
        pairs = insights_learned_totals.pairs + excluded.pairs;
    INSERT INTO insights_learned_pairs (skill_id, learner_id, org_id, first_at, last_at)
    VALUES (NEW.skill_id, NEW.learner_id, NEW.org_id, NEW.created_at, NEW.created_at)
    ON CONFLICT (skill_id, learner_id) DO UPDATE SET
        first_at = min(insights_learned_pairs.first_at, excluded.first_at),
        last_at = max(insights_learned_pairs.last_at, excluded.last_at);
END;

-- A naming removed: the pair's first and last are read again from the namings left (a handful
-- per learner and skill), and the pair goes when none is.
CREATE TRIGGER insights_learned_removed AFTER DELETE ON insights_learned
BEGIN
    UPDATE insights_learned_buckets SET times = times - 1
    WHERE org_id = OLD.org_id AND skill_id = OLD.skill_id
        AND ((span = 1 AND bucket = OLD.created_at / 86400000)
            OR (span = 7 AND bucket = OLD.created_at / (7 * 86400000)));
    UPDATE insights_learned_totals SET
        times = times - 1,
        pairs = pairs - CASE WHEN EXISTS (
            SELECT 1 FROM insights_learned
            WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id) THEN 0 ELSE 1 END
    WHERE skill_id = OLD.skill_id;
    DELETE FROM insights_learned_pairs
    WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id
        AND NOT EXISTS (SELECT 1 FROM insights_learned
                        WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id);
    UPDATE insights_learned_pairs SET
        first_at = (SELECT min(created_at) FROM insights_learned
                    WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id),
        last_at = (SELECT max(created_at) FROM insights_learned
                   WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id)
    WHERE skill_id = OLD.skill_id AND learner_id = OLD.learner_id;
END;
