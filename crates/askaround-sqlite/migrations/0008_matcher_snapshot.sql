-- What building a matcher index reads, as index-only scans. On an organisation of 100,000
-- people with 1,000,000 past asks and 3.9 million offers, the per-helper offer counts
-- (load and responsiveness) read every offer's table row in helper order, at random: 28 s on
-- SQLite, 1.5 s from this index. The same index answers the accepted-offer answer times and
-- the recent declines.
CREATE INDEX offers_matcher_load ON offers (org_id, helper_id, state, sent_at, closed_at);

-- The skills, learned skills and confirmed topics of resolved asks are joined from here
-- without reading each ask's row (4.4 s to 0.4 s for the skills on the same data).
CREATE INDEX asks_matcher_resolved ON asks (org_id, state, id);
