//! Insights for learning & development leads: is peer learning working, and where are the gaps?
//!
//! Stores aggregate in SQL ([`raw`]); this module turns those aggregates into the figures admins
//! see: shares, percentiles, Gini, and the suppression of any figure covering fewer than
//! [`privacy::MIN_PEOPLE`] people. Weeks and hours are the organisation's local ones ([`clock`]).

pub mod adoption;
pub mod ask_facts;
pub mod clock;
pub mod connections;
pub mod load;
pub mod privacy;
pub mod quality;
pub mod raw;
pub mod scope;
pub mod speed;
pub mod stats;
pub mod supply;

pub use adoption::{Adoption, adoption};
pub use connections::{Connections, connections};
pub use load::{Load, load};
pub use quality::{Quality, quality};
pub use scope::{Scope, ScopeInput};
pub use speed::{Speed, speed};
pub use supply::{SkillsReport, skills};

#[cfg(test)]
mod tests;
