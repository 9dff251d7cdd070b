-- Distinct people counted up to a cap (askers per skill, people per pair of teams: they only
-- decide suppression) read lazily on PostgreSQL too.
--
-- The shared statements count `SELECT DISTINCT person ... LIMIT cap`. SQLite stops reading once
-- it has the cap; PostgreSQL hashes every row of the range first (its hashed DISTINCT is not
-- lazy): a year's askers per skill read all 1,000,000 rows, a year's people per pair 1.7 million
-- index entries. With the person right after the equality columns, PostgreSQL reads the index in
-- person order and drops repeats as they come (`Unique`), stopping at the cap; the time column
-- last keeps the range check inside the index. (Pairs count each side this way first:
-- `insights_sql::connections_for_postgres`.)
CREATE INDEX insights_ask_skills_by_skill_asker
    ON insights_ask_skills (skill_id, asker_id, created_at);
CREATE INDEX insights_matches_by_pair_asker
    ON insights_matches (org_id, learner_team, helper_team, asker_id, matched_at);
CREATE INDEX insights_matches_by_pair_helper
    ON insights_matches (org_id, learner_team, helper_team, helper_id, matched_at);
