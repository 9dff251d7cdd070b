//! Who is calling: sign-in, sessions, CSRF and rate limits.

pub mod caller;
pub mod csrf;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod signin;

pub use caller::{Admin, Caller};
