-- Asks and offers, durable timers and matcher jobs, conversations and feedback, presence.

-- The ask as the state machine sees it is `record` (JSON, with every offer); the other columns
-- are projections of it for queries (my asks, the open board, insights), written in the same
-- transaction. `version` makes concurrent transitions a sequence: UPDATE … WHERE version = old.
CREATE TABLE asks (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    asker_id           TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    state              TEXT NOT NULL,
    helper_id          TEXT REFERENCES people(id) ON DELETE SET NULL,
    urgency            TEXT NOT NULL,
    mode               TEXT NOT NULL,
    text               TEXT NOT NULL,
    version            INTEGER NOT NULL,
    record             TEXT NOT NULL,
    idempotency_key    TEXT,
    waves_sent         INTEGER NOT NULL DEFAULT 0,
    people_interrupted INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    matched_at         INTEGER,
    closed_at          INTEGER
);
CREATE INDEX asks_by_asker ON asks (asker_id, created_at);
CREATE INDEX asks_by_org_state ON asks (org_id, state, created_at);
CREATE UNIQUE INDEX asks_by_idempotency_key ON asks (asker_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE ask_skills (
    ask_id   TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (ask_id, skill_id)
);
CREATE INDEX ask_skills_by_skill ON ask_skills (skill_id);

CREATE TABLE offers (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    ask_id         TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    helper_id      TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    asker_id       TEXT NOT NULL,
    wave           INTEGER NOT NULL,
    state          TEXT NOT NULL,
    decline_reason TEXT,
    -- Why the matcher picked this helper, as shown on the offer.
    why            TEXT,
    sent_at        INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    closed_at      INTEGER
);
CREATE INDEX offers_by_helper ON offers (helper_id, state, sent_at);
CREATE INDEX offers_by_ask ON offers (ask_id);

-- Durable timers: offer expiries and board deadlines. The dispatcher sleeps until the nearest.
CREATE TABLE timers (
    ask_id TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    timer  TEXT NOT NULL,
    org_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (ask_id, timer)
);
CREATE INDEX timers_by_due ON timers (due_at);

-- Matcher runs owed to an ask (one per wave), written with the transition that asked for them.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     TEXT NOT NULL,
    ask_id     TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    wave       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    ask_id     TEXT NOT NULL UNIQUE REFERENCES asks(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    closed_at  INTEGER
);

CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    person_id       TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('learner', 'helper', 'guest')),
    added_by        TEXT,
    added_at        INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, person_id)
);
CREATE INDEX participants_by_person ON participants (person_id);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    org_id          TEXT NOT NULL,
    author_id       TEXT REFERENCES people(id) ON DELETE SET NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('text', 'call', 'slot', 'system')),
    body            TEXT NOT NULL,
    data            TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

-- Closing the loop: the learner's rating and what they learned; the helper's confirmed topics.
CREATE TABLE feedback (
    ask_id     TEXT PRIMARY KEY REFERENCES asks(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    helper_id  TEXT NOT NULL,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    thanks     TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX feedback_by_helper ON feedback (helper_id);

CREATE TABLE learned_skills (
    ask_id   TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (ask_id, skill_id)
);

CREATE TABLE helped_topics (
    ask_id       TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    skill_id     TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    confirmed_at INTEGER NOT NULL,
    PRIMARY KEY (ask_id, skill_id)
);

CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    ask_id      TEXT NOT NULL REFERENCES asks(id) ON DELETE CASCADE,
    reporter_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX reports_by_org ON reports (org_id, created_at);

-- Presence the person set ('auto' follows their open sockets), out of office, and how many offers
-- in a row they let expire (the auto-snooze counter).
ALTER TABLE people ADD COLUMN presence TEXT NOT NULL DEFAULT 'auto'
    CHECK (presence IN ('auto', 'online', 'away', 'dnd'));
ALTER TABLE people ADD COLUMN ooo_from INTEGER;
ALTER TABLE people ADD COLUMN ooo_until INTEGER;
ALTER TABLE people ADD COLUMN ignored_in_a_row INTEGER NOT NULL DEFAULT 0;
