-- Organisations, people, the skill taxonomy, accounts and sessions.
-- Ids are UUIDv7 text; times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE orgs (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    taxonomy_version INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    -- Unique across the installation: an address signs in to exactly one account.
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    title         TEXT,
    team          TEXT,
    location      TEXT,
    timezone      TEXT NOT NULL,
    working_hours TEXT NOT NULL,
    languages     TEXT NOT NULL,
    bio           TEXT,
    weekly_budget INTEGER NOT NULL CHECK (weekly_budget >= 0),
    role          TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX people_by_org_name ON people (org_id, name_key, id);
CREATE INDEX people_by_org_team ON people (org_id, team);

CREATE TABLE skills (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES skills(id) ON DELETE SET NULL,
    popularity INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX skills_by_org ON skills (org_id);
CREATE INDEX skills_by_parent ON skills (parent_id);

-- Every name and alias of a skill, by matching key: the primary key makes a name or alias mean
-- one skill only within an organisation. `alias` is NULL on the row of the canonical name.
CREATE TABLE skill_keys (
    org_id   TEXT NOT NULL,
    key      TEXT NOT NULL,
    skill_id TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    alias    TEXT,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX skill_keys_by_skill ON skill_keys (skill_id);

CREATE TABLE person_skills (
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    skill_id  TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    level     TEXT NOT NULL CHECK (level IN ('beginner', 'intermediate', 'expert')),
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX person_skills_by_skill ON person_skills (skill_id);

CREATE TABLE learning_goals (
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    skill_id  TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX learning_goals_by_skill ON learning_goals (skill_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
