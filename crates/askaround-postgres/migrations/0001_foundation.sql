-- Organisations, people, the skill taxonomy, accounts and sessions.
-- Tables and columns match the SQLite backend one for one, so `askaround migrate-data` copies
-- table by table. Ids are `uuid` (UUIDv7); times are bigint milliseconds since the Unix epoch
-- (UTC), exactly as SQLite stores them: a copy is lossless and time arithmetic in queries
-- (`closed_at - sent_at`) means the same on both backends.

CREATE TABLE orgs (
    id               uuid PRIMARY KEY,
    name             text NOT NULL,
    slug             text NOT NULL UNIQUE,
    taxonomy_version bigint NOT NULL DEFAULT 0,
    created_at       bigint NOT NULL
);

-- Text that is sorted for display (the directory, skill names, aliases) uses the "C" collation:
-- byte order, as in SQLite, whatever locale the cluster was created with. Keyset paging on
-- `name_key` then walks the same order on both backends.
CREATE TABLE people (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    -- Unique across the installation: an address signs in to exactly one account.
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    name_key      text COLLATE "C" NOT NULL,
    title         text,
    team          text,
    location      text,
    timezone      text NOT NULL,
    working_hours text NOT NULL,
    languages     text NOT NULL,
    bio           text,
    weekly_budget integer NOT NULL CHECK (weekly_budget >= 0),
    role          text NOT NULL CHECK (role IN ('member', 'admin')),
    active        boolean NOT NULL,
    password_hash text,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
);
CREATE INDEX people_by_org_name ON people (org_id, name_key, id);
CREATE INDEX people_by_org_team ON people (org_id, team);

-- The parent link is deferrable so that `migrate-data` can copy a taxonomy in any row order; in
-- normal use it is checked at once like every other key.
CREATE TABLE skills (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       text COLLATE "C" NOT NULL,
    parent_id  uuid CONSTRAINT skills_parent_fk REFERENCES skills(id) ON DELETE SET NULL
               DEFERRABLE INITIALLY IMMEDIATE,
    popularity integer NOT NULL DEFAULT 0
);
CREATE INDEX skills_by_org ON skills (org_id);
CREATE INDEX skills_by_parent ON skills (parent_id);

-- Every name and alias of a skill, by matching key: the primary key makes a name or alias mean
-- one skill only within an organisation. `alias` is NULL on the row of the canonical name.
CREATE TABLE skill_keys (
    org_id   uuid NOT NULL,
    key      text NOT NULL,
    skill_id uuid NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    alias    text COLLATE "C",
    PRIMARY KEY (org_id, key)
);
CREATE INDEX skill_keys_by_skill ON skill_keys (skill_id);

CREATE TABLE person_skills (
    person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    skill_id  uuid NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    level     text NOT NULL CHECK (level IN ('beginner', 'intermediate', 'expert')),
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX person_skills_by_skill ON person_skills (skill_id);

CREATE TABLE learning_goals (
    person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    skill_id  uuid NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX learning_goals_by_skill ON learning_goals (skill_id);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id     uuid NOT NULL,
    csrf_token text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE invitations (
    token_hash text PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id     uuid NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
