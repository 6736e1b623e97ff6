//! The server side of a v4 onion request (network.md §3.7): what a SOGS or file server does
//! with the body POSTed to `/oxen/v4/lsrpc`.
//!
//! ```
//! use session_crypto::X25519Keypair;
//! use session_crypto::onion::EncType;
//! use session_net::onion::{self, HopKeys, ServerDestination, ServerLayer, V4Request, V4Response};
//!
//! let server_key = X25519Keypair::generate()?;
//! // What the last snode POSTs is the plaintext of its layer; for a zero-snode sketch we
//! // build a one-hop onion and take the hop's decrypted plaintext by peeling it.
//! let hop = X25519Keypair::generate()?;
//! let path = [HopKeys { ed25519: [9; 32], x25519: *hop.public_key() }];
//! let dest = ServerDestination::new("127.0.0.1", 8080, onion::Protocol::Http, *server_key.public_key());
//! let req = onion::build_v4(&path, &dest, &V4Request::new("GET", "/capabilities"), EncType::XChaCha20)?;
//! let peeled = onion::peel(&hop, &req.body)?;
//! let onion::HopInstruction::Server { payload, .. } = peeled.instruction else { unreachable!() };
//!
//! // The server:
//! let layer = ServerLayer::open(&payload, std::slice::from_ref(&server_key))?;
//! let request = layer.request()?;
//! assert_eq!(request.endpoint, "/capabilities");
//! let reply = layer.reply(&V4Response::new(200, Default::default(), b"{}".to_vec()))?;
//!
//! // The client:
//! let response = req.reply.open_server(200, &reply)?;
//! assert_eq!(response.code, 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use session_crypto::X25519Keypair;
use session_crypto::onion::HopCipher;

use super::error::{OnionError, from_crypto};
use super::frame::parse_layer;
use super::v4::{V4Request, V4Response};

/// The body a server answers when the decrypted payload is not a valid v4 request.
pub const INVALID_V4_BODY: &str = "Invalid v4 onion request";

/// A decrypted server layer: the v4 plaintext and the key to encrypt the reply with.
#[derive(Debug)]
pub struct ServerLayer {
    cipher: HopCipher,
    plaintext: Vec<u8>,
}

impl ServerLayer {
    /// Decrypts the body POSTed to `/oxen/v4/lsrpc` (`u32le ‖ ciphertext ‖ route JSON`,
    /// using `ephemeral_key` and `enc_type` of the JSON; the host/target fields are ignored).
    ///
    /// Each of `keys` is tried in turn, which allows key rotation (the file server does
    /// this). A decryption failure is answered with a plain-text HTTP 400 (the client cannot
    /// read an encrypted one); every other failure here too.
    pub fn open(body: &[u8], keys: &[X25519Keypair]) -> Result<Self, OnionError> {
        let layer = parse_layer(body, "v4 onion request metadata")?;
        let (ciphertext, ephemeral, enc) = (layer.ciphertext, layer.ephemeral, layer.enc);
        let mut last = OnionError::InvalidPath {
            reason: "no server key configured".into(),
        };
        for key in keys {
            let cipher = HopCipher::server(key, &ephemeral, enc)
                .map_err(|e| from_crypto(e, "v4 onion request"))?;
            match cipher.decrypt(ciphertext) {
                Ok(plaintext) => return Ok(Self { cipher, plaintext }),
                Err(e) => last = from_crypto(e, "v4 onion request"),
            }
        }
        Err(last)
    }

    /// The decrypted payload.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// The v4 request. On error, answer with [`ServerLayer::reply_invalid`].
    pub fn request(&self) -> Result<V4Request, OnionError> {
        V4Request::decode(&self.plaintext)
    }

    /// The encrypted reply body (send it raw with HTTP 200).
    pub fn reply(&self, response: &V4Response) -> Result<Vec<u8>, OnionError> {
        self.cipher
            .encrypt(&response.encode())
            .map_err(|e| from_crypto(e, "v4 onion reply"))
    }

    /// Encrypts arbitrary reply bytes with the layer's key (v3-style or custom replies; v4
    /// replies use [`ServerLayer::reply`]).
    pub fn reply_raw(&self, plaintext: &[u8]) -> Result<Vec<u8>, OnionError> {
        self.cipher
            .encrypt(plaintext)
            .map_err(|e| from_crypto(e, "onion reply"))
    }

    /// The encrypted `400 Invalid v4 onion request` reply (text/plain).
    pub fn reply_invalid(&self) -> Result<Vec<u8>, OnionError> {
        let headers = BTreeMap::from([(
            "content-type".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
        )]);
        self.reply(&V4Response::new(
            400,
            headers,
            INVALID_V4_BODY.as_bytes().to_vec(),
        ))
    }
}
