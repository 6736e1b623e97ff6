//! One module per command group.

pub mod blind;
pub mod common;
pub mod demo;
pub mod id;
pub mod net;
pub mod sogs;
pub mod testnet;
