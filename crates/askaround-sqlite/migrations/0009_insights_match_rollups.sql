-- Insights rollups for helper load and connections across teams, kept by triggers, so neither
-- query reads every matched ask of its range through text-keyed joins.
--
-- - `insights_orgs`, `insights_helpers`: small integer keys for organisations and for people
--   who have helped (with their helps in all). Per-helper counts read an index of integers in
--   (organisation, helper) order, a third the size of one keyed by text ids and grouped
--   without sorting.
-- - `insights_matches`: one narrow row per matched ask with a helper: when, the asker, the
--   helper and the keys, and the *current* teams of both (`''` for none). A team change moves
--   the person's rows, as connections are by today's teams.
-- - `insights_pair_buckets`: matched asks per (learner team, helper team) and UTC day (span 1)
--   and 7-day block (span 7), as 0007's buckets; `insights_pair_totals`: the same in all, so a
--   range covering most of the history is read as the total less what lies outside it.
--
-- Asks' triggers only keep `insights_matches` equal to the matched asks; the triggers on that
-- table move every counter by the difference between its old and new rows.

CREATE TABLE insights_orgs (
    key    INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL UNIQUE REFERENCES orgs(id) ON DELETE CASCADE
);

CREATE TABLE insights_helpers (
    key       INTEGER PRIMARY KEY,
    org_id    TEXT NOT NULL,
    person_id TEXT NOT NULL UNIQUE REFERENCES people(id) ON DELETE CASCADE,
    helps     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE insights_matches (
    ask_id        TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    org_key       INTEGER NOT NULL,
    matched_at    INTEGER NOT NULL,
    asker_id      TEXT NOT NULL,
    helper_id     TEXT NOT NULL,
    helper_key    INTEGER NOT NULL,
    learner_team  TEXT NOT NULL,
    helper_team   TEXT NOT NULL
);

CREATE TABLE insights_pair_buckets (
    org_id       TEXT NOT NULL,
    span         INTEGER NOT NULL,
    bucket       INTEGER NOT NULL,
    learner_team TEXT NOT NULL,
    helper_team  TEXT NOT NULL,
    asks         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, span, bucket, learner_team, helper_team)
) WITHOUT ROWID;

CREATE TABLE insights_pair_totals (
    org_id       TEXT NOT NULL,
    learner_team TEXT NOT NULL,
    helper_team  TEXT NOT NULL,
    asks         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, learner_team, helper_team)
) WITHOUT ROWID;

-- Backfill from the asks, keys in the order organisations were made and people first helped.
INSERT INTO insights_orgs (org_id) SELECT id FROM orgs ORDER BY created_at, id;

INSERT INTO insights_helpers (org_id, person_id, helps)
SELECT a.org_id, a.helper_id, count(*)
FROM asks a JOIN people p ON p.id = a.helper_id
WHERE a.matched_at IS NOT NULL
GROUP BY a.org_id, a.helper_id
ORDER BY min(a.matched_at), a.helper_id;

INSERT INTO insights_matches (ask_id, org_id, org_key, matched_at, asker_id, helper_id,
    helper_key, learner_team, helper_team)
SELECT a.id, a.org_id, o.key, a.matched_at, a.asker_id, a.helper_id, h.key,
    coalesce(pl.team, ''), coalesce(ph.team, '')
FROM asks a
    JOIN insights_orgs o ON o.org_id = a.org_id
    JOIN people pl ON pl.id = a.asker_id
    JOIN people ph ON ph.id = a.helper_id
    JOIN insights_helpers h ON h.person_id = a.helper_id
WHERE a.matched_at IS NOT NULL;

INSERT INTO insights_pair_buckets (org_id, span, bucket, learner_team, helper_team, asks)
SELECT m.org_id, s.span, m.matched_at / (s.span * 86400000), m.learner_team, m.helper_team,
    count(*)
FROM insights_matches m, (SELECT 1 AS span UNION ALL SELECT 7) s
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO insights_pair_totals (org_id, learner_team, helper_team, asks)
SELECT org_id, learner_team, helper_team, count(*)
FROM insights_matches GROUP BY 1, 2, 3;

-- Indexes after the backfill.
-- Helps per helper in a short range (load), raw slivers of a range (connections).
CREATE INDEX insights_matches_by_time ON insights_matches (org_id, matched_at, helper_key);
-- Helps per helper in a longer range: every match of the organisation in helper order.
CREATE INDEX insights_matches_by_helper_key
    ON insights_matches (org_key, helper_key, matched_at);
-- Distinct people of one pair of teams in a range, read until enough are found.
CREATE INDEX insights_matches_by_pair
    ON insights_matches (org_id, learner_team, helper_team, matched_at, asker_id, helper_id);
-- A person's matches, as learner and as helper: a team's or location's figures, team changes.
CREATE INDEX insights_matches_by_asker ON insights_matches (asker_id, matched_at);
CREATE INDEX insights_matches_by_helper ON insights_matches (helper_id, matched_at, helper_key);
-- Helpers of an organisation with their totals, in key order.
CREATE INDEX insights_helpers_by_org ON insights_helpers (org_id, key, helps);

-- The counters follow `insights_matches`.
CREATE TRIGGER insights_matches_added AFTER INSERT ON insights_matches
BEGIN
    INSERT INTO insights_pair_buckets (org_id, span, bucket, learner_team, helper_team, asks)
    SELECT NEW.org_id, s.span, NEW.matched_at / (s.span * 86400000), NEW.learner_team,
        NEW.helper_team, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, learner_team, helper_team) DO UPDATE SET
        asks = insights_pair_buckets.asks + 1;
    INSERT INTO insights_pair_totals (org_id, learner_team, helper_team, asks)
    VALUES (NEW.org_id, NEW.learner_team, NEW.helper_team, 1)
    ON CONFLICT (org_id, learner_team, helper_team) DO UPDATE SET
        asks = insights_pair_totals.asks + 1;
    UPDATE insights_helpers SET helps = helps + 1 WHERE key = NEW.helper_key;
END;

CREATE TRIGGER insights_matches_removed AFTER DELETE ON insights_matches
BEGIN
    UPDATE insights_pair_buckets SET asks = asks - 1
    WHERE org_id = OLD.org_id AND learner_team = OLD.learner_team
        AND helper_team = OLD.helper_team
        AND ((span = 1 AND bucket = OLD.matched_at / 86400000)
            OR (span = 7 AND bucket = OLD.matched_at / (7 * 86400000)));
    UPDATE insights_pair_totals SET asks = asks - 1
    WHERE org_id = OLD.org_id AND learner_team = OLD.learner_team
        AND helper_team = OLD.helper_team;
    UPDATE insights_helpers SET helps = helps - 1 WHERE key = OLD.helper_key;
END;

-- Only teams change in place (a person moved); every other change is a delete and an insert.
CREATE TRIGGER insights_matches_moved AFTER UPDATE OF learner_team, helper_team ON insights_matches
WHEN OLD.learner_team <> NEW.learner_team OR OLD.helper_team <> NEW.helper_team
BEGIN
    UPDATE insights_pair_buckets SET asks = asks - 1
    WHERE org_id = OLD.org_id AND learner_team = OLD.learner_team
        AND helper_team = OLD.helper_team
        AND ((span = 1 AND bucket = OLD.matched_at / 86400000)
            OR (span = 7 AND bucket = OLD.matched_at / (7 * 86400000)));
    UPDATE insights_pair_totals SET asks = asks - 1
    WHERE org_id = OLD.org_id AND learner_team = OLD.learner_team
        AND helper_team = OLD.helper_team;
    INSERT INTO insights_pair_buckets (org_id, span, bucket, learner_team, helper_team, asks)
    SELECT NEW.org_id, s.span, NEW.matched_at / (s.span * 86400000), NEW.learner_team,
        NEW.helper_team, 1
    FROM (SELECT 1 AS span UNION ALL SELECT 7) s WHERE TRUE
    ON CONFLICT (org_id, span, bucket, learner_team, helper_team) DO UPDATE SET
        asks = insights_pair_buckets.asks + 1;
    INSERT INTO insights_pair_totals (org_id, learner_team, helper_team, asks)
    VALUES (NEW.org_id, NEW.learner_team, NEW.helper_team, 1)
    ON CONFLICT (org_id, learner_team, helper_team) DO UPDATE SET
        asks = insights_pair_totals.asks + 1;
END;

CREATE TRIGGER insights_orgs_added AFTER INSERT ON orgs
BEGIN
    INSERT INTO insights_orgs (org_id) VALUES (NEW.id);
END;

-- An ask matched, released, re-matched or its helper gone (ON DELETE SET NULL): its row is
-- replaced by what the ask says now. The helper's key is made on their first help.
CREATE TRIGGER insights_asks_match_added AFTER INSERT ON asks
WHEN NEW.matched_at IS NOT NULL AND NEW.helper_id IS NOT NULL
BEGIN
    INSERT INTO insights_helpers (org_id, person_id) VALUES (NEW.org_id, NEW.helper_id)
    ON CONFLICT (person_id) DO NOTHING;
    INSERT INTO insights_matches (ask_id, org_id, org_key, matched_at, asker_id, helper_id,
        helper_key, learner_team, helper_team)
    SELECT NEW.id, NEW.org_id, o.key, NEW.matched_at, NEW.asker_id, NEW.helper_id, h.key,
        coalesce(pl.team, ''), coalesce(ph.team, '')
    FROM insights_orgs o, insights_helpers h, people pl, people ph
    WHERE o.org_id = NEW.org_id AND h.person_id = NEW.helper_id AND pl.id = NEW.asker_id
        AND ph.id = NEW.helper_id;
END;

CREATE TRIGGER insights_asks_match_changed AFTER UPDATE OF matched_at, helper_id ON asks
WHEN OLD.matched_at IS NOT NEW.matched_at OR OLD.helper_id IS NOT NEW.helper_id
BEGIN
    DELETE FROM insights_matches WHERE ask_id = OLD.id;
    INSERT INTO insights_helpers (org_id, person_id)
    SELECT NEW.org_id, NEW.helper_id
    WHERE NEW.matched_at IS NOT NULL AND NEW.helper_id IS NOT NULL
    ON CONFLICT (person_id) DO NOTHING;
    INSERT INTO insights_matches (ask_id, org_id, org_key, matched_at, asker_id, helper_id,
        helper_key, learner_team, helper_team)
    SELECT NEW.id, NEW.org_id, o.key, NEW.matched_at, NEW.asker_id, NEW.helper_id, h.key,
        coalesce(pl.team, ''), coalesce(ph.team, '')
    FROM insights_orgs o, insights_helpers h, people pl, people ph
    WHERE NEW.matched_at IS NOT NULL AND o.org_id = NEW.org_id AND h.person_id = NEW.helper_id
        AND pl.id = NEW.asker_id AND ph.id = NEW.helper_id;
END;

CREATE TRIGGER insights_asks_match_removed AFTER DELETE ON asks
BEGIN
    DELETE FROM insights_matches WHERE ask_id = OLD.id;
END;

-- A person moved to another team: their matches move between pairs.
CREATE TRIGGER insights_people_team_changed AFTER UPDATE OF team ON people
WHEN coalesce(OLD.team, '') <> coalesce(NEW.team, '')
BEGIN
    UPDATE insights_matches SET learner_team = coalesce(NEW.team, '') WHERE asker_id = NEW.id;
    UPDATE insights_matches SET helper_team = coalesce(NEW.team, '') WHERE helper_id = NEW.id;
END;
