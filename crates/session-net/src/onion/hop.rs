//! The receiving side of an onion layer (network.md §3.5): what a snode does with
//! `/onion_req/v2`. Public so that a local test network (and anyone writing a relay) reuses
//! the exact framing the client builds.
//!
//! ```text
//! peel(own key, body) ─► PeeledLayer { reply: HopCipher, instruction }
//!   instruction = Final   { body }          run the RPC, answer with `snode_reply`
//!               | Server  { host, …, payload } POST payload to protocol://host:port/target
//!               | Relay   { next, …}         POST `layer.forward_body()` to the next snode
//! ```
//!
//! A relay forwards `hop_no + 1` (SS `service_node.cpp` increments the hop number it got from
//! the guard's JSON or the previous snode, absent = 0, and refuses more than 15 hops), so
//! [`PeeledLayer::forward_body`] writes it into the next frame's JSON.

use base64::Engine as _;
use serde::Serialize;
use session_crypto::X25519Keypair;
use session_crypto::onion::{EncType, HopCipher};

use super::builder::Protocol;
use super::error::{OnionError, from_crypto};
use super::frame::{
    ForwardMeta, GuardMeta, enc_type, frame, hex_key, opt_str, parse_frame, parse_layer,
    parse_meta, req_str, to_json,
};

/// A peeled layer: the cipher to encrypt this hop's reply with, and what to do next.
#[derive(Debug)]
pub struct PeeledLayer {
    /// The layer's key; a final destination encrypts its reply with it.
    pub reply: HopCipher,
    /// The `hop_no` of the frame's JSON, if any (storage servers cap paths at 15 hops).
    pub hop_no: Option<u64>,
    /// What the decrypted plaintext asks for.
    pub instruction: HopInstruction,
}

impl PeeledLayer {
    /// For a relay: the `/onion_req/v2` body for the next snode,
    /// `frame(ciphertext, {"enc_type", "ephemeral_key", "hop_no"})` with `hop_no` one more
    /// than this layer's (absent counts as 0), as storage servers forward it (network.md
    /// §3.5 step 4). `None` for other instructions.
    pub fn forward_body(&self) -> Option<Vec<u8>> {
        self.instruction
            .forward_body_at(self.hop_no.unwrap_or(0).saturating_add(1))
    }
}

/// What a hop is asked to do with a decrypted layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HopInstruction {
    /// This snode is the destination: run the RPC in `body` (inner JSON had `"headers"`).
    Final {
        /// The RPC request JSON.
        body: Vec<u8>,
        /// `"json": true`: embed the RPC response as JSON rather than a string.
        json: bool,
        /// `"base64": false`: answer raw bytes instead of base64 (default true).
        base64: bool,
    },
    /// Proxy to an HTTP server (inner JSON had `"host"`).
    Server {
        /// Host.
        host: String,
        /// Port (default 443).
        port: u16,
        /// Protocol (default https).
        protocol: Protocol,
        /// Target path (check with [`target_allowed`]).
        target: String,
        /// What to POST: the hop's **entire** decrypted plaintext, route JSON included.
        payload: Vec<u8>,
    },
    /// Relay to the next snode.
    Relay {
        /// The next snode's Ed25519 key.
        next_ed25519: [u8; 32],
        /// The ephemeral key the next snode needs.
        ephemeral_key: [u8; 32],
        /// The next layer's cipher (default AES-GCM).
        enc_type: EncType,
        /// The next layer's ciphertext.
        ciphertext: Vec<u8>,
    },
}

impl HopInstruction {
    /// For [`HopInstruction::Relay`]: the `/onion_req/v2` body for the next snode,
    /// `frame(ciphertext, {"enc_type", "ephemeral_key"})`, **without** a hop count (the next
    /// snode counts it as hop 0). A relay should use [`PeeledLayer::forward_body`], which
    /// carries `hop_no` on as storage servers do; this form suits a client that starts a
    /// request at a given hop. `None` for other instructions.
    pub fn forward_body(&self) -> Option<Vec<u8>> {
        self.relay_body(None)
    }

    /// For [`HopInstruction::Relay`]: the `/onion_req/v2` body for the next snode with
    /// `"hop_no": hop_no` in its JSON (the number the next snode checks against
    /// [`MAX_HOPS`](super::MAX_HOPS)). `None` for other instructions.
    pub fn forward_body_at(&self, hop_no: u64) -> Option<Vec<u8>> {
        self.relay_body(Some(hop_no))
    }

    /// The relay frame, with `hop_no` in its JSON when given.
    fn relay_body(&self, hop_no: Option<u64>) -> Option<Vec<u8>> {
        let Self::Relay {
            ephemeral_key,
            enc_type,
            ciphertext,
            ..
        } = self
        else {
            return None;
        };
        let enc_type = enc_type.as_str();
        let ephemeral_key = hex::encode(ephemeral_key);
        let meta = match hop_no {
            None => to_json(&GuardMeta {
                enc_type,
                ephemeral_key,
            }),
            Some(hop_no) => to_json(&ForwardMeta {
                enc_type,
                ephemeral_key,
                hop_no,
            }),
        };
        frame(ciphertext, &meta).ok()
    }
}

/// Decrypts the layer in an `/onion_req/v2` body with the snode's key and classifies it.
///
/// Errors: a short or oversized frame ([`OnionError::Truncated`], [`OnionError::TooLarge`]),
/// bad routing JSON, an unknown cipher, or a ciphertext that does not decrypt
/// ([`OnionError::BadTag`]; storage servers answer that with 400 `Invalid ciphertext`).
pub fn peel(own: &X25519Keypair, body: &[u8]) -> Result<PeeledLayer, OnionError> {
    let layer = parse_layer(body, "onion layer metadata")?;
    let (ciphertext, ephemeral, enc, meta) =
        (layer.ciphertext, layer.ephemeral, layer.enc, layer.meta);
    let hop_no = meta.get("hop_no").and_then(serde_json::Value::as_u64);
    let cipher =
        HopCipher::server(own, &ephemeral, enc).map_err(|e| from_crypto(e, "onion layer"))?;
    let plaintext = cipher
        .decrypt(ciphertext)
        .map_err(|e| from_crypto(e, "onion layer"))?;
    Ok(PeeledLayer {
        reply: cipher,
        hop_no,
        instruction: classify(plaintext)?,
    })
}

/// Classifies a decrypted layer as storage servers do (network.md §3.5): `"headers"` → final,
/// `"host"` → proxy to a server, otherwise relay to `"destination"`.
pub fn classify(plaintext: Vec<u8>) -> Result<HopInstruction, OnionError> {
    const WHAT: &str = "onion route";
    let (blob, meta) = parse_frame(&plaintext)?;
    let meta = parse_meta(meta, WHAT)?;
    if meta.contains_key("headers") {
        let flag = |name: &str| meta.get(name).and_then(serde_json::Value::as_bool);
        return Ok(HopInstruction::Final {
            body: blob.to_vec(),
            json: flag("json").unwrap_or(false),
            base64: flag("base64").unwrap_or(true),
        });
    }
    if let Some(host) = opt_str(&meta, "host", WHAT)? {
        let protocol = match opt_str(&meta, "protocol", WHAT)? {
            None | Some("https") => Protocol::Https,
            Some("http") => Protocol::Http,
            Some(_) => {
                return Err(OnionError::BadField {
                    what: WHAT,
                    field: "protocol",
                    reason: "neither http nor https".into(),
                });
            }
        };
        let port = match meta.get("port") {
            None | Some(serde_json::Value::Null) => 443,
            Some(v) => v
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| OnionError::BadField {
                    what: WHAT,
                    field: "port",
                    reason: "not a port number".into(),
                })?,
        };
        let (host, target) = (host.to_owned(), req_str(&meta, "target", WHAT)?.to_owned());
        return Ok(HopInstruction::Server {
            host,
            port,
            protocol,
            target,
            payload: plaintext,
        });
    }
    let next_ed25519 = hex_key(req_str(&meta, "destination", WHAT)?, "destination", WHAT)?;
    let ephemeral_key = hex_key(
        req_str(&meta, "ephemeral_key", WHAT)?,
        "ephemeral_key",
        WHAT,
    )?;
    Ok(HopInstruction::Relay {
        next_ed25519,
        ephemeral_key,
        enc_type: enc_type(&meta, WHAT)?,
        ciphertext: blob.to_vec(),
    })
}

/// Whether a storage server proxies to `target`: it must start with `/loki/` or `/oxen/`,
/// end with `/lsrpc` and contain no `?` (network.md §3.5; otherwise 400 `Invalid url`).
pub fn target_allowed(target: &str) -> bool {
    (target.starts_with("/loki/") || target.starts_with("/oxen/"))
        && target.ends_with("/lsrpc")
        && !target.contains('?')
}

#[derive(Serialize)]
struct SnodeReplyPlain<'a> {
    body: &'a str,
    status: u16,
}

/// The final snode's reply (network.md §3.6): base64 (standard, padded) of the encryption of
/// `{"body": <rpc_body as a JSON string>, "status": status}`, sent with HTTP 200.
pub fn snode_reply(cipher: &HopCipher, status: u16, rpc_body: &str) -> Result<String, OnionError> {
    // Invariant: a string and an integer always serialise.
    #[allow(clippy::expect_used)]
    let plain = serde_json::to_vec(&SnodeReplyPlain {
        body: rpc_body,
        status,
    })
    .expect("reply JSON serialises");
    let sealed = cipher
        .encrypt(&plain)
        .map_err(|e| from_crypto(e, "snode reply"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn classification_requires_destination_and_key_for_relays() {
        let plain = frame(b"ct", br#"{"destination":"00"}"#).unwrap();
        assert!(matches!(
            classify(plain),
            Err(OnionError::BadField {
                field: "destination",
                ..
            })
        ));
        let plain = frame(b"ct", b"{}").unwrap();
        assert!(matches!(
            classify(plain),
            Err(OnionError::MissingField {
                field: "destination",
                ..
            })
        ));
    }

    #[test]
    fn peel_rejects_garbage_with_typed_errors() {
        let own = X25519Keypair::from_secret([1; 32]);
        assert!(matches!(
            peel(&own, b"\x01"),
            Err(OnionError::Truncated { .. })
        ));
        let body = frame(&[0u8; 50], br#"{"ephemeral_key":"zz"}"#).unwrap();
        assert!(matches!(
            peel(&own, &body),
            Err(OnionError::BadField { .. })
        ));
        let other = X25519Keypair::from_secret([2; 32]);
        let body = frame(
            &[0u8; 50],
            format!(
                r#"{{"ephemeral_key":"{}"}}"#,
                hex::encode(other.public_key())
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            peel(&own, &body).unwrap_err(),
            OnionError::BadTag {
                what: "onion layer"
            }
        );
    }
}
