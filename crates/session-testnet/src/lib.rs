#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cert;
mod clock;
mod error;
pub mod fault;
mod network;
mod node;
mod onion;
mod rpc;
mod seed;
mod server;
mod storage;
mod testnet;

pub use error::TestnetError;
pub use fault::{Fault, Rate};
pub use node::{NodeStats, SnodeInfo};
pub use testnet::{DEFAULT_SNODES, StoredInfo, Target, Testnet, TestnetBuilder};
