//! One test per vector set; each prints the `vectors:` line and names its first mismatch.

pub mod attachments;
pub mod blinding;
pub mod keys;
pub mod messages;
pub mod pysogs;
pub mod pysogs_auth;
