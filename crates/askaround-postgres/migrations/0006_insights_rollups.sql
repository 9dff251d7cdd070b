-- Insights rollups: what each person had done by when, kept on their row by triggers, so
-- adoption ("share who had connected by the end of each week") reads one index entry per person
-- instead of every ask of the range. Same columns and meaning as the SQLite migration of the
-- same name.
--
-- A connection is an ask matched: its learner (the asker) and its helper each connect once.
-- The times are those of the first ask made, the first ask taken as learner and as helper, and
-- the first and second connection in any role (a second connection is repeat use). Only ever
-- lowered: an ask matched again after being released keeps its earlier connection (as
-- `insights_skill_helpers` of 0005 does).
ALTER TABLE people ADD COLUMN first_asked_at bigint;
ALTER TABLE people ADD COLUMN first_learned_at bigint;
ALTER TABLE people ADD COLUMN first_helped_at bigint;
ALTER TABLE people ADD COLUMN first_connected_at bigint;
ALTER TABLE people ADD COLUMN second_connected_at bigint;

UPDATE people SET first_asked_at = f.t
FROM (SELECT asker_id AS p, min(created_at) AS t FROM asks GROUP BY asker_id) AS f
WHERE f.p = people.id;
UPDATE people SET first_learned_at = f.t
FROM (
    SELECT asker_id AS p, min(matched_at) AS t FROM asks
    WHERE matched_at IS NOT NULL GROUP BY asker_id
) AS f
WHERE f.p = people.id;
UPDATE people SET first_helped_at = f.t
FROM (
    SELECT helper_id AS p, min(matched_at) AS t FROM asks
    WHERE matched_at IS NOT NULL AND helper_id IS NOT NULL GROUP BY helper_id
) AS f
WHERE f.p = people.id;
UPDATE people SET first_connected_at = f.first, second_connected_at = f.second
FROM (
    SELECT p, min(t) FILTER (WHERE n = 1) AS first, min(t) FILTER (WHERE n = 2) AS second
    FROM (
        SELECT p, t, row_number() OVER (PARTITION BY p ORDER BY t) AS n FROM (
            SELECT asker_id AS p, matched_at AS t FROM asks WHERE matched_at IS NOT NULL
            UNION ALL
            SELECT helper_id, matched_at FROM asks
            WHERE matched_at IS NOT NULL AND helper_id IS NOT NULL
        ) AS events
    ) AS ranked
    WHERE n <= 2
    GROUP BY p
) AS f
WHERE f.p = people.id;

CREATE FUNCTION asks_insights_people_asked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE people SET first_asked_at = NEW.created_at
    WHERE id = NEW.asker_id AND (first_asked_at IS NULL OR first_asked_at > NEW.created_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER asks_insights_people_asked AFTER INSERT ON asks
FOR EACH ROW EXECUTE FUNCTION asks_insights_people_asked();

CREATE FUNCTION asks_insights_people_matched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.matched_at IS NOT NULL AND OLD.matched_at IS NULL THEN
        -- One statement for both people, so their rows are locked in one (index) order and two
        -- matches between the same two people cannot deadlock. Every right-hand side reads the row
        -- as it was, so the old first connection can become the second.
        UPDATE people SET
            first_learned_at = CASE
                WHEN id = NEW.asker_id
                    AND (first_learned_at IS NULL OR NEW.matched_at < first_learned_at)
                    THEN NEW.matched_at
                ELSE first_learned_at END,
            first_helped_at = CASE
                WHEN id = NEW.helper_id
                    AND (first_helped_at IS NULL OR NEW.matched_at < first_helped_at)
                    THEN NEW.matched_at
                ELSE first_helped_at END,
            second_connected_at = CASE
                WHEN first_connected_at IS NULL THEN NULL
                WHEN NEW.matched_at < first_connected_at THEN first_connected_at
                WHEN second_connected_at IS NULL OR NEW.matched_at < second_connected_at
                    THEN NEW.matched_at
                ELSE second_connected_at END,
            first_connected_at = CASE
                WHEN first_connected_at IS NULL OR NEW.matched_at < first_connected_at
                    THEN NEW.matched_at
                ELSE first_connected_at END
        WHERE id IN (NEW.asker_id, NEW.helper_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER asks_insights_people_matched AFTER UPDATE OF matched_at ON asks
FOR EACH ROW EXECUTE FUNCTION asks_insights_people_matched();

-- Adoption reads people of the organisation by team and location with every time above: one
-- covering index scan. It replaces the narrower index of 0005.
DROP INDEX people_insights;
CREATE INDEX people_insights_adoption ON people (
    org_id, active, team, location,
    first_asked_at, first_learned_at, first_helped_at, first_connected_at, second_connected_at
);
