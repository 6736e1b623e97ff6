//! One module per command group.

pub mod blind;
pub mod common;
pub mod id;
pub mod net;
pub mod sogs;
