#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod clock;
pub mod danger;
pub mod network;
pub mod onion;
mod random;
pub mod rpc;
pub mod snode;
pub mod swarm;
pub mod transport;

pub use network::{NetworkConfig, SnodeNetwork};

pub use transport::{
    DirectTransport, DirectTransportBuilder, HttpRequest, HttpResponse, OnionTransport, Transport,
    TransportError, TransportFuture,
};
