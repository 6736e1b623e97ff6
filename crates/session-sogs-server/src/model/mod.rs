//! The data model: rooms, users, messages, reactions, pins, files, DMs, moderation. Functions
//! take a `rusqlite::Connection` (a reader or the writer's open transaction) so that a handler
//! can compose several of them into one atomic change.

pub(crate) mod dm;
pub(crate) mod file;
pub(crate) mod message;
pub(crate) mod moderation;
pub(crate) mod pin;
pub(crate) mod reaction;
pub(crate) mod room;
pub(crate) mod user;
