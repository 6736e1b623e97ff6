//! Opening the reply to an onion request (network.md §3.5–3.7).
//!
//! - HTTP status ≠ 200 at the guard: a hop's plain-text error → [`OnionError::Path`].
//! - Snode destination: the body is base64 (possibly inside `{"result": "…"}`) of the
//!   encrypted JSON `{"body": <RPC JSON as a string>, "status": <code>}` → [`SnodeReply`].
//! - Server destination (v4): the body is the raw encryption of a bencoded
//!   `[metadata, body]` → [`V4Response`].
//!
//! - HTTP 200 with base64 of `{"status", "body"}` sealed with a **hop's** layer key: that hop
//!   decrypted its layer and then refused it (SS `wrap_proxy_response`): `Invalid url` from
//!   the last hop for a proxy target it does not allow, `Invalid json` from a hop that could
//!   not read its routing JSON → [`OnionError::Path`] with the inner status.
//!
//! A reply that fails to decrypt with XChaCha20 is retried as AES-GCM, as libsession does for
//! servers that only answer in GCM (§3.1).

use base64::Engine as _;
use serde_json::Value;
use session_crypto::X25519Keypair;
use session_crypto::onion::{EncType, HopCipher};

use super::error::{OnionError, PathErrorKind, clip, from_crypto};
use super::frame::MAX_BODY;
use super::v4::V4Response;

/// What kind of destination a request went to, and so how its reply is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationKind {
    /// A snode (base64 of encrypted JSON).
    Snode,
    /// A server (raw encrypted v4 bencode).
    Server,
}

/// A snode's answer to an RPC sent through the onion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnodeReply {
    /// The RPC's status (`status_code` or `status` of the reply JSON).
    pub status: u16,
    /// The RPC's body: normally JSON text, plain text for text errors.
    pub body: Vec<u8>,
}

impl SnodeReply {
    /// Parses a decrypted snode reply, `{"body": …, "status" | "status_code": …}` (also the
    /// shape of a v3 server's failure reply, `{"status_code": N}`).
    pub fn parse(plaintext: &[u8]) -> Result<Self, OnionError> {
        parse_snode_plaintext(plaintext)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Value, OnionError> {
        serde_json::from_slice(&self.body).map_err(|e| OnionError::BadJson {
            what: "snode RPC body",
            reason: clip(&e.to_string()),
        })
    }

    /// `Ok(self)` for 2xx, else [`OnionError::Destination`].
    pub fn error_for_status(self) -> Result<Self, OnionError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(OnionError::Destination {
                status: self.status,
                text: clip(&String::from_utf8_lossy(&self.body)),
            })
        }
    }
}

/// A decrypted destination reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnionReply {
    /// From a snode destination.
    Snode(SnodeReply),
    /// From a server destination.
    Server(V4Response),
}

/// The state kept from building a request to open its reply: the destination layer's
/// ephemeral keypair (secret zeroized on drop), the destination's key and the cipher, and
/// the path layers' ciphers (for errors a hop seals with its layer key).
#[derive(Debug)]
pub struct ReplyOpener {
    ephemeral: X25519Keypair,
    cipher: Option<HopCipher>,
    hops: Vec<HopCipher>,
    destination_x25519: [u8; 32],
    enc: EncType,
    kind: DestinationKind,
}

impl ReplyOpener {
    /// The opener for a request whose destination layer used `ephemeral` to encrypt to
    /// `destination_x25519` with `enc`. [`crate::onion::build`] returns one; this constructor
    /// serves relays and tests that build layers themselves.
    pub fn new(
        ephemeral: X25519Keypair,
        destination_x25519: [u8; 32],
        enc: EncType,
        kind: DestinationKind,
    ) -> Self {
        Self {
            ephemeral,
            cipher: None,
            hops: Vec::new(),
            destination_x25519,
            enc,
            kind,
        }
    }

    /// Reuses the already derived key of the destination layer (it must be the one of
    /// `ephemeral`, `destination_x25519` and `enc`).
    pub(crate) fn with_cipher(mut self, cipher: HopCipher) -> Self {
        self.cipher = Some(cipher);
        self
    }

    /// The path layers' ciphers, guard first, so that an error a hop seals with its layer
    /// key is read as that hop's error rather than a bad tag. Without them (as after
    /// [`ReplyOpener::new`]) such a reply is [`OnionError::BadTag`].
    #[must_use]
    pub fn with_hop_ciphers(mut self, hops: Vec<HopCipher>) -> Self {
        self.hops = hops;
        self
    }

    /// What the request went to.
    pub fn kind(&self) -> DestinationKind {
        self.kind
    }

    /// The cipher of the request.
    pub fn enc_type(&self) -> EncType {
        self.enc
    }

    /// Opens the guard's HTTP answer (`status`, `body`) according to the destination kind.
    pub fn open(&self, status: u16, body: &[u8]) -> Result<OnionReply, OnionError> {
        match self.kind {
            DestinationKind::Snode => self.open_snode(status, body).map(OnionReply::Snode),
            DestinationKind::Server => self.open_server(status, body).map(OnionReply::Server),
        }
    }

    /// Opens a snode destination's reply (network.md §3.6).
    pub fn open_snode(&self, status: u16, body: &[u8]) -> Result<SnodeReply, OnionError> {
        check_path_status(status, body)?;
        let raw = snode_payload(body)?;
        let plain = match self.decrypt(&raw) {
            Ok(plain) => plain,
            Err(e) => return Err(self.hop_error(&raw).unwrap_or(e)),
        };
        parse_snode_plaintext(&plain)
    }

    /// Opens a server destination's v4 reply (network.md §3.7).
    pub fn open_server(&self, status: u16, body: &[u8]) -> Result<V4Response, OnionError> {
        check_path_status(status, body)?;
        let plain = match self.decrypt(body) {
            Ok(plain) => plain,
            // A v4 reply is raw; a hop's sealed error is base64 text.
            Err(e) => {
                let hop_error = decode_base64(body)
                    .ok()
                    .and_then(|raw| self.hop_error(&raw));
                return Err(hop_error.unwrap_or(e));
            }
        };
        V4Response::decode(&plain)
    }

    /// A reply the destination key does not open may be a hop's error sealed with its layer
    /// key (SS `wrap_proxy_response` with the hop's ephemeral key): `{"status", "body"}` →
    /// [`OnionError::Path`] with that status and the kind its text names (`Invalid url` →
    /// [`PathErrorKind::InvalidUrl`]). `None` if no hop's key opens it.
    fn hop_error(&self, raw: &[u8]) -> Option<OnionError> {
        let plain = self.hops.iter().find_map(|c| c.decrypt(raw).ok())?;
        let reply = parse_snode_plaintext(&plain).ok()?;
        let text = String::from_utf8_lossy(&reply.body);
        Some(OnionError::Path {
            status: reply.status,
            kind: classify_path_error(reply.status, &text),
            text: clip(&text),
        })
    }

    /// Decrypts with the request's cipher, falling back from XChaCha20 to AES-GCM.
    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, OnionError> {
        if data.len() > MAX_BODY + EncType::XChaCha20.overhead() {
            return Err(OnionError::TooLarge {
                what: "onion reply",
                size: data.len(),
                limit: MAX_BODY,
            });
        }
        let what = "onion reply";
        let derived;
        let cipher = match &self.cipher {
            Some(c) => c,
            None => {
                derived = HopCipher::client(&self.ephemeral, &self.destination_x25519, self.enc)
                    .map_err(|e| from_crypto(e, what))?;
                &derived
            }
        };
        match cipher.decrypt(data) {
            Ok(plain) => Ok(plain),
            Err(first) if self.enc == EncType::XChaCha20 => {
                let gcm =
                    HopCipher::client(&self.ephemeral, &self.destination_x25519, EncType::AesGcm)
                        .map_err(|e| from_crypto(e, what))?;
                gcm.decrypt(data).map_err(|_| from_crypto(first, what))
            }
            Err(e) => Err(from_crypto(e, what)),
        }
    }
}

/// A non-200 guard status means a hop answered in plain text (network.md §3.5, §4.4).
fn check_path_status(status: u16, body: &[u8]) -> Result<(), OnionError> {
    if status == 200 {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    Err(OnionError::Path {
        status,
        kind: classify_path_error(status, &text),
        text: clip(&text),
    })
}

/// What a hop's plain-text error means.
pub fn classify_path_error(status: u16, text: &str) -> PathErrorKind {
    const NOT_FOUND: &str = "Next node not found: ";
    if let Some(idx) = text.find(NOT_FOUND) {
        let rest = &text[idx + NOT_FOUND.len()..];
        let mut ed25519 = [0u8; 32];
        if let Some(key) = rest.get(..64)
            && hex::decode_to_slice(key, &mut ed25519).is_ok()
        {
            return PathErrorKind::NodeNotFound { ed25519 };
        }
    }
    if text.contains("Oxen Server error") {
        PathErrorKind::OxenServerError
    } else if text.contains("Invalid ciphertext") {
        PathErrorKind::InvalidCiphertext
    } else if text.contains("Invalid url") {
        PathErrorKind::InvalidUrl
    } else if status == 504 || text.contains("Request time out") {
        PathErrorKind::Timeout
    } else if status == 503 || text.contains("Snode not ready") {
        PathErrorKind::SnodeNotReady
    } else if status == 502 {
        PathErrorKind::BadGateway
    } else {
        PathErrorKind::Other
    }
}

/// The base64 payload of a snode reply: the string `"result"` if the body is JSON holding
/// one, else the body itself.
fn snode_payload(body: &[u8]) -> Result<Vec<u8>, OnionError> {
    if body.first() == Some(&b'{')
        && let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body)
        && let Some(Value::String(result)) = map.get("result")
    {
        return decode_base64(result.as_bytes());
    }
    decode_base64(body)
}

fn decode_base64(text: &[u8]) -> Result<Vec<u8>, OnionError> {
    let trimmed = text.trim_ascii();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| OnionError::BadBase64)
}

/// `{"body": string | JSON, "status" | "status_code": int}` → [`SnodeReply`].
pub(crate) fn parse_snode_plaintext(plain: &[u8]) -> Result<SnodeReply, OnionError> {
    const WHAT: &str = "snode reply";
    let value: Value = serde_json::from_slice(plain).map_err(|e| OnionError::BadJson {
        what: WHAT,
        reason: clip(&e.to_string()),
    })?;
    let Value::Object(map) = value else {
        return Err(OnionError::BadJson {
            what: WHAT,
            reason: "not a JSON object".into(),
        });
    };
    let status =
        map.get("status_code")
            .or_else(|| map.get("status"))
            .ok_or(OnionError::MissingField {
                what: WHAT,
                field: "status",
            })?;
    let status = status
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .ok_or_else(|| OnionError::BadField {
            what: WHAT,
            field: "status",
            reason: format!("{} is not an HTTP status", clip(&status.to_string())),
        })?;
    let body = match map.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        // `"json": true` requests embed the RPC JSON instead of a string.
        Some(other) => other.to_string().into_bytes(),
    };
    Ok(SnodeReply { status, body })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn classifies_hop_errors() {
        let ed = "ab".repeat(32);
        assert_eq!(
            classify_path_error(502, &format!("Next node not found: {ed}")),
            PathErrorKind::NodeNotFound {
                ed25519: [0xab; 32]
            }
        );
        assert_eq!(
            classify_path_error(502, "Next node not found: zz"),
            PathErrorKind::BadGateway
        );
        assert_eq!(
            classify_path_error(400, "Invalid ciphertext"),
            PathErrorKind::InvalidCiphertext
        );
        assert_eq!(
            classify_path_error(504, "Request time out"),
            PathErrorKind::Timeout
        );
        assert_eq!(
            classify_path_error(503, "Snode not ready: x"),
            PathErrorKind::SnodeNotReady
        );
        assert_eq!(
            classify_path_error(500, "Oxen Server error"),
            PathErrorKind::OxenServerError
        );
        assert_eq!(
            classify_path_error(400, "Invalid url"),
            PathErrorKind::InvalidUrl
        );
        assert_eq!(classify_path_error(500, "?"), PathErrorKind::Other);
    }

    #[test]
    fn snode_plaintext_accepts_string_object_and_status_code() {
        let r = parse_snode_plaintext(br#"{"body":"{\"a\":1}","status":200}"#).unwrap();
        assert_eq!((r.status, r.json().unwrap()["a"].as_i64()), (200, Some(1)));
        let r = parse_snode_plaintext(br#"{"body":{"a":2},"status_code":421}"#).unwrap();
        assert_eq!(r.status, 421);
        assert_eq!(r.json().unwrap()["a"].as_i64(), Some(2));
        assert!(matches!(
            parse_snode_plaintext(br#"{"body":""}"#),
            Err(OnionError::MissingField {
                field: "status",
                ..
            })
        ));
        assert!(matches!(
            parse_snode_plaintext(b"nope"),
            Err(OnionError::BadJson { .. })
        ));
    }

    #[test]
    fn result_wrapper_is_unwrapped() {
        assert_eq!(snode_payload(br#"{"result":"QUJD"}"#).unwrap(), b"ABC");
        assert_eq!(snode_payload(b"QUJD\n").unwrap(), b"ABC");
        assert_eq!(snode_payload(b"QUI").unwrap(), b"AB");
        assert_eq!(snode_payload(b"not base64!"), Err(OnionError::BadBase64));
    }
}
