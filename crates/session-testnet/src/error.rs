//! The error type of the local network's control API.

use std::net::SocketAddr;

/// What can go wrong starting or steering a [`Testnet`](crate::Testnet).
///
/// Faults injected into the network are not errors of this type: they are what the network
/// does to its clients on purpose.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestnetError {
    /// A listening socket could not be opened (on Linux every 127.0.0.0/8 address is
    /// loopback; other systems need `ifconfig lo0 alias 127.0.k.1` for each snode).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A self-signed certificate or the TLS configuration could not be made.
    #[error("TLS set-up failed: {reason}")]
    Tls {
        /// Why.
        reason: String,
    },
    /// The operating system's random number generator failed (node keys).
    #[error("random number generator failed: {reason}")]
    Random {
        /// Why.
        reason: String,
    },
    /// The builder was asked for an impossible network (0 snodes, more than 254, 0 swarms...).
    #[error("invalid testnet configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A control call named a snode that does not exist.
    #[error("no snode {target}")]
    UnknownNode {
        /// The index or key as given.
        target: String,
    },
    /// A fault that cannot be injected (e.g. a status outside 100..=599).
    #[error("invalid fault: {reason}")]
    InvalidFault {
        /// Why.
        reason: String,
    },
    /// An ONS name that is not valid (`^\w([\w-]*\w)?$`).
    #[error("invalid ONS name: {reason}")]
    InvalidOnsName {
        /// Why.
        reason: String,
    },
    /// The client side used internally (relay and proxy transports) could not be built.
    #[error("cannot build the relay transport: {reason}")]
    Transport {
        /// Why.
        reason: String,
    },
}
