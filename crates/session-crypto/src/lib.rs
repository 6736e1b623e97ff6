#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod basepoint;
mod error;
mod hash;
mod rng;

pub mod attachment;
pub mod blinded_dm;
pub mod blinding;
mod identity;
mod ids;
mod keys;
pub mod mnemonic;
pub mod onetoone;
pub mod onion;
pub mod padding;
mod request;
pub mod sealed_box;
mod secretstream;
mod signature;

pub use blinding::{Blind15Nonce, BlindedKeypair, blind15_candidates, blind25_id};
pub use error::{Error, Result};
pub use hash::blake2b;
pub use identity::Identity;
pub use ids::{AccountId, BlindedId, BlindingScheme, ServerPubkey, SessionId};
pub use keys::{X25519Keypair, ed25519_to_x25519_public, is_valid_ed25519_public_key};
pub use mnemonic::Mnemonic;
pub use request::{
    RequestAuth, RequestSigner, SigningMode, percent_decode_path, request_message, sign_request,
};
pub use signature::{sign_xed25519, verify_ed25519, verify_xed25519};
