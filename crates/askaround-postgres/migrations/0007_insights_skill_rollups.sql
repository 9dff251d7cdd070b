-- Insights rollups for skills supply and demand, kept by triggers, so the query reads a few
-- hundred rollup rows per week of the range instead of every ask of it. Same tables, columns
-- and meaning as the SQLite migration of the same name:
-- - `insights_ask_skills`: one narrow row per (ask, skill) with what the skill figures need
--   (asker, when asked, answered, unmet). Raw rows for the slivers of a range that no rollup
--   bucket covers, for distinct askers (read per skill with a LIMIT), and for a team's or
--   location's asks (read per person in scope).
-- - `insights_skill_buckets`: per skill and UTC day (span 1) and 7-day block (span 7,
--   `created_at / 7 days`): asks, answered, unmet, and people who first helped with the skill.
--   A range is its whole blocks, then whole days, then raw slivers under a day at either end.
-- - `insights_skill_totals`: per skill, active holders and people who ever helped with it.
--
-- Every counter is changed by the difference between the old and the new state, so the store
-- rewriting an ask's skills on every transition (delete, then insert) nets out. Counters are
-- integer, so their sums are bigint as the store decodes them.

CREATE TABLE insights_ask_skills (
    ask_id     uuid NOT NULL,
    skill_id   uuid NOT NULL,
    org_id     uuid NOT NULL,
    asker_id   uuid NOT NULL,
    created_at bigint NOT NULL,
    -- matched_at IS NOT NULL
    answered   integer NOT NULL,
    -- matched_at IS NULL AND went_to_board = 1
    unmet      integer NOT NULL,
    PRIMARY KEY (ask_id, skill_id)
);

CREATE TABLE insights_skill_buckets (
    org_id      uuid NOT NULL,
    span        integer NOT NULL,
    bucket      bigint NOT NULL,
    skill_id    uuid NOT NULL,
    asks        integer NOT NULL DEFAULT 0,
    answered    integer NOT NULL DEFAULT 0,
    unmet       integer NOT NULL DEFAULT 0,
    new_helpers integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, skill_id)
);

CREATE TABLE insights_skill_totals (
    skill_id uuid PRIMARY KEY,
    org_id   uuid NOT NULL,
    holders  integer NOT NULL DEFAULT 0,
    helpers  integer NOT NULL DEFAULT 0
);

-- Backfill from what 0003–0006 hold.
INSERT INTO insights_ask_skills (ask_id, skill_id, org_id, asker_id, created_at, answered, unmet)
SELECT s.ask_id, s.skill_id, a.org_id, a.asker_id, a.created_at,
    CASE WHEN a.matched_at IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN a.matched_at IS NULL AND a.went_to_board = 1 THEN 1 ELSE 0 END
FROM ask_skills s JOIN asks a ON a.id = s.ask_id;

INSERT INTO insights_skill_buckets (org_id, span, bucket, skill_id, asks, answered, unmet, new_helpers)
SELECT org_id, span, bucket, skill_id, sum(asks), sum(answered), sum(unmet), sum(new_helpers)
FROM (
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000) AS bucket, f.skill_id,
        1 AS asks, f.answered, f.unmet, 0 AS new_helpers
    FROM insights_ask_skills f, (VALUES (1), (7)) AS s (span)
    UNION ALL
    SELECT h.org_id, s.span, h.first_at / (s.span * 86400000), h.skill_id, 0, 0, 0, 1
    FROM insights_skill_helpers h, (VALUES (1), (7)) AS s (span)
) AS parts
GROUP BY org_id, span, bucket, skill_id;

INSERT INTO insights_skill_totals (skill_id, org_id, holders, helpers)
SELECT k.id, k.org_id,
    (SELECT count(*) FROM person_skills ps JOIN people p ON p.id = ps.person_id
     WHERE ps.skill_id = k.id AND p.active),
    (SELECT count(*) FROM insights_skill_helpers h WHERE h.skill_id = k.id)
FROM skills k;

-- Raw slivers of the whole organisation.
CREATE INDEX insights_ask_skills_by_created
    ON insights_ask_skills (org_id, created_at, skill_id, answered, unmet);
-- Distinct askers of one skill in a range, read until enough are found.
CREATE INDEX insights_ask_skills_by_skill ON insights_ask_skills (skill_id, created_at, asker_id);
-- The asks of the people in a team or location.
CREATE INDEX insights_ask_skills_by_asker
    ON insights_ask_skills (asker_id, created_at, skill_id, answered, unmet);

-- Triggers on rows that arrive in bulk (an import's skills, migrate-data's batches) are per
-- statement, over the transition table: one upsert per bucket touched, where a trigger per row
-- would update the same hot rollup row thousands of times in one transaction (each update a
-- new row version that the next one has to walk past).

-- Asks' skills added: their fact rows, then their buckets.
CREATE FUNCTION insights_ask_skills_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_ask_skills (ask_id, skill_id, org_id, asker_id, created_at, answered, unmet)
    SELECT n.ask_id, n.skill_id, a.org_id, a.asker_id, a.created_at,
        CASE WHEN a.matched_at IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN a.matched_at IS NULL AND a.went_to_board = 1 THEN 1 ELSE 0 END
    FROM added n JOIN asks a ON a.id = n.ask_id;
    -- Buckets in key order, as every other writer takes them, so two transactions cannot wait
    -- on each other's rows.
    INSERT INTO insights_skill_buckets AS b (org_id, span, bucket, skill_id, asks, answered, unmet)
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id,
        count(*), sum(f.answered), sum(f.unmet)
    FROM added n
        JOIN insights_ask_skills f ON f.ask_id = n.ask_id AND f.skill_id = n.skill_id,
        (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        asks = b.asks + EXCLUDED.asks,
        answered = b.answered + EXCLUDED.answered,
        unmet = b.unmet + EXCLUDED.unmet;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_ask_skills_added AFTER INSERT ON ask_skills
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_skills_added();

-- Asks' skills removed (rewritten by the store, or the ask or skill deleted): the fact rows
-- say what they had added, even when the ask rows are already gone.
CREATE FUNCTION insights_ask_skills_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Negative amounts added to rows that exist, in key order (an upsert, unlike UPDATE … FROM,
    -- takes its rows in the order given).
    INSERT INTO insights_skill_buckets AS b (org_id, span, bucket, skill_id, asks, answered, unmet)
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id,
        -count(*), -sum(f.answered), -sum(f.unmet)
    FROM removed o
        JOIN insights_ask_skills f ON f.ask_id = o.ask_id AND f.skill_id = o.skill_id,
        (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        asks = b.asks + EXCLUDED.asks,
        answered = b.answered + EXCLUDED.answered,
        unmet = b.unmet + EXCLUDED.unmet;
    DELETE FROM insights_ask_skills f USING removed o
    WHERE f.ask_id = o.ask_id AND f.skill_id = o.skill_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_ask_skills_removed AFTER DELETE ON ask_skills
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_ask_skills_removed();

-- An ask answered or sent to the board (went_to_board is set by 0005's BEFORE trigger, so NEW
-- holds the state the row keeps): its skills' counters move by the difference.
CREATE FUNCTION insights_asks_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_answered integer := CASE WHEN NEW.matched_at IS NOT NULL THEN 1 ELSE 0 END;
    now_unmet integer := CASE WHEN NEW.matched_at IS NULL AND NEW.went_to_board = 1 THEN 1 ELSE 0 END;
BEGIN
    -- The differences added in key order, as every writer of the buckets takes them.
    INSERT INTO insights_skill_buckets AS b (org_id, span, bucket, skill_id, answered, unmet)
    SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id,
        now_answered - f.answered, now_unmet - f.unmet
    FROM insights_ask_skills f, (VALUES (1), (7)) AS s (span)
    WHERE f.ask_id = NEW.id AND (f.answered <> now_answered OR f.unmet <> now_unmet)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        answered = b.answered + EXCLUDED.answered,
        unmet = b.unmet + EXCLUDED.unmet;
    UPDATE insights_ask_skills SET answered = now_answered, unmet = now_unmet
    WHERE ask_id = NEW.id AND (answered <> now_answered OR unmet <> now_unmet);
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_asks_outcome AFTER UPDATE OF matched_at, went_to_board, state ON asks
FOR EACH ROW EXECUTE FUNCTION insights_asks_outcome();

-- First helps with a skill (0005's `insights_skill_helpers`): growth per bucket, and the total.
CREATE FUNCTION insights_skill_helpers_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_skill_buckets AS b (org_id, span, bucket, skill_id, new_helpers)
    SELECT n.org_id, s.span, n.first_at / (s.span * 86400000), n.skill_id, count(*)
    FROM added n, (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET
        new_helpers = b.new_helpers + EXCLUDED.new_helpers;
    INSERT INTO insights_skill_totals AS t (skill_id, org_id, helpers)
    SELECT n.skill_id, n.org_id, count(*) FROM added n
    GROUP BY 1, 2
    ORDER BY 1
    ON CONFLICT (skill_id) DO UPDATE SET helpers = t.helpers + EXCLUDED.helpers;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_skill_helpers_added AFTER INSERT ON insights_skill_helpers
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_skill_helpers_added();

CREATE FUNCTION insights_skill_helpers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE insights_skill_buckets b SET new_helpers = b.new_helpers - d.n
    FROM (
        SELECT o.org_id, s.span, o.first_at / (s.span * 86400000) AS bucket, o.skill_id,
            count(*) AS n
        FROM removed o, (VALUES (1), (7)) AS s (span)
        GROUP BY 1, 2, 3, 4
    ) AS d
    WHERE b.org_id = d.org_id AND b.span = d.span AND b.bucket = d.bucket
        AND b.skill_id = d.skill_id;
    UPDATE insights_skill_totals t SET helpers = t.helpers - d.n
    FROM (SELECT skill_id, count(*) AS n FROM removed GROUP BY skill_id) AS d
    WHERE t.skill_id = d.skill_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_skill_helpers_removed AFTER DELETE ON insights_skill_helpers
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_skill_helpers_removed();

-- A first help moved earlier (an ask matched again): one row at a time, as asks are.
CREATE FUNCTION insights_skill_helpers_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE insights_skill_buckets SET new_helpers = new_helpers - 1
    WHERE org_id = OLD.org_id AND skill_id = OLD.skill_id
        AND ((span = 1 AND bucket = OLD.first_at / 86400000)
            OR (span = 7 AND bucket = OLD.first_at / (7 * 86400000)));
    INSERT INTO insights_skill_buckets AS b (org_id, span, bucket, skill_id, new_helpers)
    SELECT NEW.org_id, s.span, NEW.first_at / (s.span * 86400000), NEW.skill_id, 1
    FROM (VALUES (1), (7)) AS s (span)
    ORDER BY s.span
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET new_helpers = b.new_helpers + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_skill_helpers_moved AFTER UPDATE OF first_at ON insights_skill_helpers
FOR EACH ROW WHEN (OLD.first_at <> NEW.first_at)
EXECUTE FUNCTION insights_skill_helpers_moved();

-- Holders: active people who list the skill.
CREATE FUNCTION insights_holders_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_skill_totals AS t (skill_id, org_id, holders)
    SELECT n.skill_id, p.org_id, count(*)
    FROM added n JOIN people p ON p.id = n.person_id AND p.active
    GROUP BY 1, 2
    ORDER BY 1
    ON CONFLICT (skill_id) DO UPDATE SET holders = t.holders + EXCLUDED.holders;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_holders_added AFTER INSERT ON person_skills
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_holders_added();

-- A person deleted takes their skills by cascade after their row is gone; they are counted out
-- by insights_holders_person_deleted instead.
CREATE FUNCTION insights_holders_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE insights_skill_totals t SET holders = t.holders - d.n
    FROM (
        SELECT o.skill_id, count(*) AS n
        FROM removed o JOIN people p ON p.id = o.person_id AND p.active
        GROUP BY o.skill_id
    ) AS d
    WHERE t.skill_id = d.skill_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_holders_removed AFTER DELETE ON person_skills
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_holders_removed();

CREATE FUNCTION insights_holders_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.active THEN
            UPDATE insights_skill_totals SET holders = holders - 1
            WHERE skill_id IN (SELECT skill_id FROM person_skills WHERE person_id = OLD.id);
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.active IS DISTINCT FROM NEW.active THEN
        INSERT INTO insights_skill_totals AS t (skill_id, org_id, holders)
        SELECT ps.skill_id, NEW.org_id, CASE WHEN NEW.active THEN 1 ELSE -1 END
        FROM person_skills ps WHERE ps.person_id = NEW.id
        ORDER BY ps.skill_id
        ON CONFLICT (skill_id) DO UPDATE SET
            holders = t.holders + CASE WHEN NEW.active THEN 1 ELSE -1 END;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_holders_person_deleted BEFORE DELETE ON people
FOR EACH ROW EXECUTE FUNCTION insights_holders_person();
CREATE TRIGGER insights_holders_active AFTER UPDATE OF active ON people
FOR EACH ROW EXECUTE FUNCTION insights_holders_person();

-- Quality: ratings per UTC day and 7-day block, and what learners said they learned (same
-- tables and meaning as on SQLite):
-- - `insights_rating_buckets`: ratings given per bucket and rating.
-- - `insights_learned`: one row per (feedback, learned skill), whichever of the two was written
--   last, with the learner and when the feedback was given.
-- - `insights_learned_buckets`: times each skill was named per bucket.
-- - `insights_learned_pairs`: per (skill, learner), their first and last naming of it, so
--   learners of a skill in a range are counted exactly without reading every naming.

CREATE TABLE insights_rating_buckets (
    org_id uuid NOT NULL,
    span   integer NOT NULL,
    bucket bigint NOT NULL,
    rating integer NOT NULL,
    n      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, rating)
);

CREATE TABLE insights_learned (
    ask_id     uuid NOT NULL,
    skill_id   uuid NOT NULL,
    org_id     uuid NOT NULL,
    learner_id uuid NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (ask_id, skill_id)
);

CREATE TABLE insights_learned_buckets (
    org_id   uuid NOT NULL,
    span     integer NOT NULL,
    bucket   bigint NOT NULL,
    skill_id uuid NOT NULL,
    times    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, skill_id)
);

-- Per skill: namings and (skill, learner) pairs in all, so a range covering most of a skill's
-- namings counts its learners from what lies outside it (pairs entirely before or after).
CREATE TABLE insights_learned_totals (
    skill_id uuid PRIMARY KEY,
    org_id   uuid NOT NULL,
    times    integer NOT NULL DEFAULT 0,
    pairs    integer NOT NULL DEFAULT 0
);

CREATE TABLE insights_learned_pairs (
    skill_id   uuid NOT NULL,
    learner_id uuid NOT NULL,
    org_id     uuid NOT NULL,
    first_at   bigint NOT NULL,
    last_at    bigint NOT NULL,
    PRIMARY KEY (skill_id, learner_id)
);

INSERT INTO insights_rating_buckets (org_id, span, bucket, rating, n)
SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.rating, count(*)
FROM feedback f, (VALUES (1), (7)) AS s (span)
GROUP BY 1, 2, 3, 4;

INSERT INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
SELECT l.ask_id, l.skill_id, f.org_id, f.learner_id, f.created_at
FROM learned_skills l JOIN feedback f ON f.ask_id = l.ask_id;

INSERT INTO insights_learned_buckets (org_id, span, bucket, skill_id, times)
SELECT f.org_id, s.span, f.created_at / (s.span * 86400000), f.skill_id, count(*)
FROM insights_learned f, (VALUES (1), (7)) AS s (span)
GROUP BY 1, 2, 3, 4;

INSERT INTO insights_learned_pairs (skill_id, learner_id, org_id, first_at, last_at)
SELECT skill_id, learner_id, org_id, min(created_at), max(created_at)
FROM insights_learned GROUP BY skill_id, learner_id, org_id;

INSERT INTO insights_learned_totals (skill_id, org_id, times, pairs)
SELECT skill_id, org_id, count(*), count(DISTINCT learner_id)
FROM insights_learned GROUP BY skill_id, org_id;

CREATE INDEX feedback_insights_by_rating ON feedback (org_id, rating, created_at, learner_id);
CREATE INDEX feedback_insights_by_learner ON feedback (learner_id, created_at, rating);
CREATE INDEX insights_learned_by_created ON insights_learned (org_id, created_at, skill_id);
CREATE INDEX insights_learned_by_learner ON insights_learned (learner_id, created_at, skill_id);
CREATE INDEX insights_learned_by_pair ON insights_learned (skill_id, learner_id, created_at);
CREATE INDEX insights_learned_pairs_by_first ON insights_learned_pairs (skill_id, first_at);
CREATE INDEX insights_learned_pairs_by_last ON insights_learned_pairs (skill_id, last_at, first_at);

-- Feedback given or removed (per statement, for migrate-data's batches): rating buckets, and
-- the namings of skills already written for the ask.
CREATE FUNCTION insights_feedback_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_rating_buckets AS b (org_id, span, bucket, rating, n)
    SELECT n.org_id, s.span, n.created_at / (s.span * 86400000), n.rating, count(*)
    FROM added n, (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, rating) DO UPDATE SET n = b.n + EXCLUDED.n;
    INSERT INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
    SELECT n.ask_id, l.skill_id, n.org_id, n.learner_id, n.created_at
    FROM added n JOIN learned_skills l ON l.ask_id = n.ask_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_feedback_added AFTER INSERT ON feedback
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_feedback_added();

CREATE FUNCTION insights_feedback_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_rating_buckets AS b (org_id, span, bucket, rating, n)
    SELECT o.org_id, s.span, o.created_at / (s.span * 86400000), o.rating, -count(*)
    FROM removed o, (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, rating) DO UPDATE SET n = b.n + EXCLUDED.n;
    DELETE FROM insights_learned e USING removed o WHERE e.ask_id = o.ask_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_feedback_removed AFTER DELETE ON feedback
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_feedback_removed();

CREATE FUNCTION insights_learned_skill_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_learned (ask_id, skill_id, org_id, learner_id, created_at)
    SELECT n.ask_id, n.skill_id, f.org_id, f.learner_id, f.created_at
    FROM added n JOIN feedback f ON f.ask_id = n.ask_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_learned_skill_added AFTER INSERT ON learned_skills
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_learned_skill_added();

CREATE FUNCTION insights_learned_skill_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM insights_learned e USING removed o
    WHERE e.ask_id = o.ask_id AND e.skill_id = o.skill_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_learned_skill_removed AFTER DELETE ON learned_skills
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_learned_skill_removed();

-- Namings added: times per bucket, and each pair's first and last.
CREATE FUNCTION insights_learned_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_learned_buckets AS b (org_id, span, bucket, skill_id, times)
    SELECT n.org_id, s.span, n.created_at / (s.span * 86400000), n.skill_id, count(*)
    FROM added n, (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET times = b.times + EXCLUDED.times;
    -- Before the pairs are written: a pair not there yet is a new one.
    INSERT INTO insights_learned_totals AS t (skill_id, org_id, times, pairs)
    SELECT skill_id, org_id, sum(times), sum(new_pair)
    FROM (
        SELECT n.skill_id, n.org_id, n.learner_id, count(*) AS times,
            CASE WHEN EXISTS (
                SELECT 1 FROM insights_learned_pairs q
                WHERE q.skill_id = n.skill_id AND q.learner_id = n.learner_id) THEN 0 ELSE 1 END
                AS new_pair
        FROM added n
        GROUP BY n.skill_id, n.org_id, n.learner_id
    ) AS x
    GROUP BY 1, 2
    ORDER BY 1
    ON CONFLICT (skill_id) DO UPDATE SET
        times = t.times + EXCLUDED.times,
        pairs = t.pairs + EXCLUDED.pairs;
    INSERT INTO insights_learned_pairs AS q (skill_id, learner_id, org_id, first_at, last_at)
    SELECT n.skill_id, n.learner_id, n.org_id, min(n.created_at), max(n.created_at)
    FROM added n
    GROUP BY 1, 2, 3
    ORDER BY 1, 2
    ON CONFLICT (skill_id, learner_id) DO UPDATE SET
        first_at = LEAST(q.first_at, EXCLUDED.first_at),
        last_at = GREATEST(q.last_at, EXCLUDED.last_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_learned_added AFTER INSERT ON insights_learned
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION insights_learned_added();

-- Namings removed: the pairs' first and last are read again from the namings left, and a pair
-- goes when none is.
CREATE FUNCTION insights_learned_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_learned_buckets AS b (org_id, span, bucket, skill_id, times)
    SELECT o.org_id, s.span, o.created_at / (s.span * 86400000), o.skill_id, -count(*)
    FROM removed o, (VALUES (1), (7)) AS s (span)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, span, bucket, skill_id) DO UPDATE SET times = b.times + EXCLUDED.times;
    UPDATE insights_learned_totals t SET times = t.times - d.n
    FROM (SELECT skill_id, count(*) AS n FROM removed GROUP BY skill_id) AS d
    WHERE t.skill_id = d.skill_id;
    WITH gone AS (
        DELETE FROM insights_learned_pairs q
        USING (SELECT DISTINCT skill_id, learner_id FROM removed) o
        WHERE q.skill_id = o.skill_id AND q.learner_id = o.learner_id
            AND NOT EXISTS (SELECT 1 FROM insights_learned e
                            WHERE e.skill_id = o.skill_id AND e.learner_id = o.learner_id)
        RETURNING q.skill_id
    )
    UPDATE insights_learned_totals t SET pairs = t.pairs - g.n
    FROM (SELECT skill_id, count(*) AS n FROM gone GROUP BY skill_id) AS g
    WHERE t.skill_id = g.skill_id;
    UPDATE insights_learned_pairs q SET first_at = m.first_at, last_at = m.last_at
    FROM (
        SELECT e.skill_id, e.learner_id, min(e.created_at) AS first_at, max(e.created_at) AS last_at
        FROM insights_learned e
            JOIN (SELECT DISTINCT skill_id, learner_id FROM removed) o
            ON e.skill_id = o.skill_id AND e.learner_id = o.learner_id
        GROUP BY e.skill_id, e.learner_id
    ) AS m
    WHERE q.skill_id = m.skill_id AND q.learner_id = m.learner_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_learned_removed AFTER DELETE ON insights_learned
REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION insights_learned_removed();
