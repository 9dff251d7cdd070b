//! The pure core of askaround: domain rules with no I/O, no async and no clock.
//!
//! Everything here takes time as a value and returns values, so it can be tested exhaustively and
//! benchmarked. The store, the server and the binary build on these types; nothing here knows them.

pub mod asks;
pub mod conversation;
pub mod demo;
pub mod email;
pub mod hours;
pub mod ids;
pub mod insights;
pub mod language;
pub mod matching;
mod openapi;
pub mod org;
pub mod people_csv;
pub mod person;
pub mod presence;
pub mod skill;
pub mod taxonomy;
pub mod text;
pub mod timezone;
pub mod validation;

pub use validation::{FieldError, FieldErrors};
