//! Conversations between a learner and the helpers they were matched with: validated message
//! bodies, call links, proposed time slots (as RFC 5545 calendar files) and the feedback that
//! closes the loop.

mod feedback;
mod ics;
mod message;

pub use feedback::{Feedback, Rating, Thanks};
pub use ics::{Slot, SlotRequest};
pub use message::{CallLink, MAX_MESSAGE_BYTES, MessageBody};
