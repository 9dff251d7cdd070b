//! The black-box tests of `tests/api/` again, on PostgreSQL: each test starts the real server on
//! a random port with a fresh database on the server named by `POSTGRES_TEST_URL` (see
//! `api/common`, which picks the backend by this target's name). The OpenAPI snapshot does not
//! depend on the database and is checked once, by the `api` target.

#[path = "api/common/mod.rs"]
mod common;

#[path = "api/access.rs"]
mod access;
#[path = "api/accounts.rs"]
mod accounts;
#[path = "api/conversations.rs"]
mod conversations;
#[path = "api/import.rs"]
mod import;
#[path = "api/people.rs"]
mod people;
#[path = "api/routing.rs"]
mod routing;
#[path = "api/skills.rs"]
mod skills;
#[path = "api/web.rs"]
mod web;

// Only on PostgreSQL: several servers on one database.
#[path = "api_postgres/nodes.rs"]
mod nodes;
