//! SOGS request signing: the four `X-SOGS-*` headers (spec/sogs-api.md §1).
//!
//! The signed message is
//! `server_pk ‖ nonce ‖ timestamp ‖ METHOD ‖ path [‖ "?" ‖ query] [‖ BLAKE2b-512(body)]`, where
//! the path is URL-*decoded*, the query is taken raw, and the body hash is present only for a
//! non-empty body. Headers use the encodings every server accepts: lowercase hex pubkey, padded
//! standard base64 nonce and signature, decimal timestamp.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::blinding::BlindedKeypair;
use crate::error::Result;
use crate::hash::blake2b_512;
use crate::identity::Identity;
use crate::ids::ServerPubkey;
use crate::rng::random_array;

/// Which key signs requests to a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SigningMode {
    /// `00` ‖ the master Ed25519 key. Most servers refuse it (blinding is required by default).
    Unblinded,
    /// `15` ‖ the blind15 key: what every current server accepts.
    #[default]
    Blind15,
    /// `25` ‖ the blind25 key: for servers that advertise the `blind25` capability.
    Blind25,
}

/// The four authentication headers of a signed SOGS request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestAuth {
    /// `X-SOGS-Pubkey`: 66 hex digits, `00`/`15`/`25` ‖ Ed25519 key.
    #[serde(rename = "X-SOGS-Pubkey")]
    pub pubkey: String,
    /// `X-SOGS-Nonce`: 16 bytes, padded standard base64.
    #[serde(rename = "X-SOGS-Nonce")]
    pub nonce: String,
    /// `X-SOGS-Timestamp`: Unix seconds, decimal.
    #[serde(rename = "X-SOGS-Timestamp")]
    pub timestamp: String,
    /// `X-SOGS-Signature`: 64 bytes, padded standard base64.
    #[serde(rename = "X-SOGS-Signature")]
    pub signature: String,
}

impl RequestAuth {
    /// The headers as `(name, value)` pairs.
    pub fn headers(&self) -> [(&'static str, &str); 4] {
        [
            ("X-SOGS-Pubkey", &self.pubkey),
            ("X-SOGS-Nonce", &self.nonce),
            ("X-SOGS-Timestamp", &self.timestamp),
            ("X-SOGS-Signature", &self.signature),
        ]
    }
}

/// Percent-decodes a URL path into bytes. `%` not followed by two hex digits is kept as is.
pub fn percent_decode_path(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The bytes a SOGS request signature covers (spec/sogs-api.md §1.2).
///
/// `path_and_query` is the request target as sent (e.g. `/room/R/reaction/1/%F0%9F%8D%8D` or
/// `/room/R/messages/recent?limit=25`); its path is URL-decoded here and its query kept raw.
/// `timestamp` is the exact header string.
pub fn request_message(
    server: &ServerPubkey,
    nonce: &[u8; 16],
    timestamp: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Vec<u8> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    };
    let mut msg = Vec::with_capacity(32 + 16 + 10 + method.len() + path_and_query.len() + 64);
    msg.extend_from_slice(server.as_bytes());
    msg.extend_from_slice(nonce);
    msg.extend_from_slice(timestamp.as_bytes());
    msg.extend_from_slice(method.as_bytes());
    msg.extend_from_slice(&percent_decode_path(path));
    if !query.is_empty() {
        msg.push(b'?');
        msg.extend_from_slice(query.as_bytes());
    }
    if !body.is_empty() {
        msg.extend_from_slice(&blake2b_512(&[body]));
    }
    msg
}

/// Signs a SOGS request: a pure function of all its inputs.
///
/// This derives the blinded keypair for `server` on every call; to sign many requests to one
/// server, [`RequestSigner`] derives it once.
///
/// ```
/// use session_crypto::{Identity, SigningMode, sign_request};
/// let id = Identity::from_mnemonic("love love love love love love love love love love love love love")?;
/// let server = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238".parse()?;
/// let auth = sign_request(&id, &server, SigningMode::Blind15, "GET", "/capabilities", b"",
///                         &[0; 16], 1_700_000_000);
/// assert!(auth.pubkey.starts_with("15"));
/// assert_eq!(auth.timestamp, "1700000000");
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn sign_request(
    identity: &Identity,
    server: &ServerPubkey,
    mode: SigningMode,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    nonce: &[u8; 16],
    timestamp: u64,
) -> RequestAuth {
    let key = SigningKey::new(identity, server, mode);
    key.sign(server, method, path_and_query, body, nonce, timestamp)
}

/// The key that signs requests to one server: the master key, or a blinded keypair derived once.
#[derive(Debug, Clone)]
enum SigningKey<'a> {
    /// `00` ‖ the master Ed25519 key.
    Unblinded(&'a Identity),
    /// `15`/`25` ‖ a blinded key.
    Blinded(BlindedKeypair),
}

impl<'a> SigningKey<'a> {
    fn new(identity: &'a Identity, server: &ServerPubkey, mode: SigningMode) -> Self {
        match mode {
            SigningMode::Unblinded => Self::Unblinded(identity),
            SigningMode::Blind15 => Self::Blinded(identity.blind15(server)),
            SigningMode::Blind25 => Self::Blinded(identity.blind25(server)),
        }
    }

    fn sign(
        &self,
        server: &ServerPubkey,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        nonce: &[u8; 16],
        timestamp: u64,
    ) -> RequestAuth {
        let ts = timestamp.to_string();
        let msg = request_message(server, nonce, &ts, method, path_and_query, body);
        let (prefix, key, sig) = match self {
            Self::Unblinded(identity) => ("00", identity.ed25519_public_key(), identity.sign(&msg)),
            Self::Blinded(kp) => (kp.scheme().prefix(), kp.public_key(), kp.sign(&msg)),
        };
        RequestAuth {
            pubkey: format!("{prefix}{}", hex::encode(key)),
            nonce: STANDARD.encode(nonce),
            timestamp: ts,
            signature: STANDARD.encode(sig),
        }
    }
}

/// Signs requests for one server with a fresh random nonce and the current time plus a
/// clock offset (learned from the server's responses).
///
/// The blinded keypair is derived once, when the signer is made, so each request costs one
/// signature.
#[derive(Debug, Clone)]
pub struct RequestSigner<'a> {
    key: SigningKey<'a>,
    server: ServerPubkey,
    mode: SigningMode,
    clock_offset_secs: i64,
}

impl<'a> RequestSigner<'a> {
    /// A signer for `server` in `mode`, with no clock offset.
    pub fn new(identity: &'a Identity, server: ServerPubkey, mode: SigningMode) -> Self {
        Self {
            key: SigningKey::new(identity, &server, mode),
            server,
            mode,
            clock_offset_secs: 0,
        }
    }

    /// Sets the offset, in seconds, added to the local clock (server time − local time).
    pub fn with_clock_offset(mut self, secs: i64) -> Self {
        self.clock_offset_secs = secs;
        self
    }

    /// The signing mode.
    pub const fn mode(&self) -> SigningMode {
        self.mode
    }

    /// The current timestamp this signer uses: local Unix time plus the offset.
    pub fn timestamp(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        now.saturating_add_signed(self.clock_offset_secs)
    }

    /// Signs one request with a fresh nonce.
    pub fn sign(&self, method: &str, path_and_query: &str, body: &[u8]) -> Result<RequestAuth> {
        let nonce = random_array::<16>()?;
        Ok(self.sign_with(method, path_and_query, body, &nonce, self.timestamp()))
    }

    /// Signs one request with a given nonce and timestamp: the same headers as
    /// [`sign_request`] with this signer's identity, server and mode.
    pub fn sign_with(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        nonce: &[u8; 16],
        timestamp: u64,
    ) -> RequestAuth {
        self.key
            .sign(&self.server, method, path_and_query, body, nonce, timestamp)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::signature::verify_ed25519;

    const LOVE: &str = "love love love love love love love love love love love love love";
    const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

    #[test]
    fn message_layout_matches_the_published_bytes() {
        let server: ServerPubkey = SERVER.parse().unwrap();
        let nonce: [u8; 16] = hex::decode("0f0e0d0c0b0a09080706050403020100")
            .unwrap()
            .try_into()
            .unwrap();
        let msg = request_message(
            &server,
            &nonce,
            "1700000000",
            "GET",
            "/room/sudoku/messages/recent?limit=25",
            b"",
        );
        assert_eq!(
            hex::encode(msg),
            "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da79912380f0e0d0c0b0a09080706050403020100313730303030303030304745542f726f6f6d2f7375646f6b752f6d657373616765732f726563656e743f6c696d69743d3235"
        );
    }

    #[test]
    fn unblinded_signature_matches_pysogs() {
        let id = Identity::from_mnemonic(LOVE).unwrap();
        let server = SERVER.parse().unwrap();
        let nonce: [u8; 16] = hex::decode("0f0e0d0c0b0a09080706050403020100")
            .unwrap()
            .try_into()
            .unwrap();
        let auth = sign_request(
            &id,
            &server,
            SigningMode::Unblinded,
            "GET",
            "/room/sudoku/messages/recent?limit=25",
            b"",
            &nonce,
            1_700_000_000,
        );
        assert_eq!(
            auth.pubkey,
            "0074e0e0e4b519045d4347b26ba24e6e9eda7124e19794d8039f47a36048137687"
        );
        use base64::Engine;
        assert_eq!(
            hex::encode(STANDARD.decode(&auth.signature).unwrap()),
            "fa3813f6edb6258bbc62ff5893928950083915d7f5e50cdfb1b31268c6b74b35b6b81ce84ed4b36a2342c702ca25cb3e836a44b5ea86341d0161621c67b82a08"
        );
        assert_eq!(auth.nonce, "Dw4NDAsKCQgHBgUEAwIBAA==");
    }

    #[test]
    fn encoded_and_raw_paths_sign_the_same_bytes() {
        let server: ServerPubkey = SERVER.parse().unwrap();
        let a = request_message(
            &server,
            &[0; 16],
            "1",
            "PUT",
            "/room/R/reaction/1/%F0%9F%8D%8D",
            b"",
        );
        let b = request_message(&server, &[0; 16], "1", "PUT", "/room/R/reaction/1/🍍", b"");
        assert_eq!(a, b);
        // The query is not decoded, and a bare "?" adds nothing.
        let q = request_message(&server, &[0; 16], "1", "GET", "/x?a=%20", b"");
        assert!(q.ends_with(b"/x?a=%20"));
        let bare = request_message(&server, &[0; 16], "1", "GET", "/x?", b"");
        assert!(bare.ends_with(b"GET/x"));
        assert_eq!(percent_decode_path("%zz%4"), b"%zz%4");
    }

    #[test]
    fn signer_with_cached_key_signs_like_the_pure_function() {
        let id = Identity::from_mnemonic(LOVE).unwrap();
        let server: ServerPubkey = SERVER.parse().unwrap();
        for mode in [
            SigningMode::Unblinded,
            SigningMode::Blind15,
            SigningMode::Blind25,
        ] {
            let signer = RequestSigner::new(&id, server, mode);
            assert_eq!(signer.mode(), mode);
            assert_eq!(
                signer.sign_with("POST", "/room/r/message", b"{}", &[3; 16], 42),
                sign_request(
                    &id,
                    &server,
                    mode,
                    "POST",
                    "/room/r/message",
                    b"{}",
                    &[3; 16],
                    42
                )
            );
        }
    }

    #[test]
    fn signer_signs_verifiably_with_offset_clock() {
        let id = Identity::from_mnemonic(LOVE).unwrap();
        let server: ServerPubkey = SERVER.parse().unwrap();
        let signer = RequestSigner::new(&id, server, SigningMode::Blind25).with_clock_offset(-100);
        let auth = signer.sign("POST", "/room/r/message", b"{}").unwrap();
        let nonce: [u8; 16] = STANDARD.decode(&auth.nonce).unwrap().try_into().unwrap();
        let msg = request_message(
            &server,
            &nonce,
            &auth.timestamp,
            "POST",
            "/room/r/message",
            b"{}",
        );
        let key: [u8; 32] = hex::decode(&auth.pubkey[2..]).unwrap().try_into().unwrap();
        verify_ed25519(&key, &msg, &STANDARD.decode(&auth.signature).unwrap()).unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let ts: u64 = auth.timestamp.parse().unwrap();
        assert!(ts + 90 <= now && ts + 110 >= now);
    }
}
