-- Live events: every user-visible change, addressed to one person. The id increases across the
-- whole installation, so it increases within each organisation too; a reconnecting client
-- replays everything after the last id it saw.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    data      TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX events_by_recipient ON events (person_id, id);
