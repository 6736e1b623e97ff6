#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod danger;
pub mod onion;
pub mod swarm;
pub mod transport;

pub use transport::{
    DirectTransport, DirectTransportBuilder, HttpRequest, HttpResponse, Transport, TransportError,
    TransportFuture,
};
