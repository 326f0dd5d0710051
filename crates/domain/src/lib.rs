//! The pure core of twinpipe.
//!
//! Everything here is deterministic and free of I/O so that the Lambda handlers, the local CLI and the
//! tests share one definition of what a reading is, what makes it valid and how it is named in storage.
//! Nothing in this crate knows about AWS.

pub mod events;
pub mod message;
pub mod raw;
pub mod reading;
pub mod storage_key;
pub mod units;
pub mod validate;

pub use message::{Envelope, MessageError, ParsedMessage, parse_message};
pub use reading::{Quality, Reading};
pub use units::{CanonicalUnit, Unit};
pub use validate::{Rejection, ValidationPolicy};
