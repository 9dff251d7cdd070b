//! Black-box tests of the real server: each test starts it on a random port with a fresh
//! database file and acts as a learner, a helper, an admin and an outsider.

mod access;
mod accounts;
mod common;
mod conversations;
mod import;
mod openapi;
mod people;
mod routing;
mod skills;
mod web;
