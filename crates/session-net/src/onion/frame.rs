//! One onion layer's framing, `u32le(len(blob)) ‖ blob ‖ JSON` (network.md §3.2), and the
//! routing JSON objects that travel in it (§3.3).
//!
//! The JSON is the rest of the buffer, without a length or terminator. We write it compact
//! with sorted keys (as libsession does); when reading, key order and whitespace do not matter.

use serde::Serialize;
use serde_json::{Map, Value};
use session_crypto::onion::EncType;

use super::error::{OnionError, clip};

/// Largest request or reply body the network accepts: 10 MiB (SS `MAX_REQUEST_BODY_SIZE`).
pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// `u32le(len(blob)) ‖ blob ‖ meta`.
pub fn frame(blob: &[u8], meta: &[u8]) -> Result<Vec<u8>, OnionError> {
    let len = u32::try_from(blob.len()).map_err(|_| OnionError::TooLarge {
        what: "onion layer",
        size: blob.len(),
        limit: MAX_BODY,
    })?;
    let mut out = Vec::with_capacity(4 + blob.len() + meta.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(blob);
    out.extend_from_slice(meta);
    Ok(out)
}

/// Splits a frame into `(blob, meta JSON bytes)`. Rejects buffers shorter than 4 bytes or
/// than `4 + N`, and anything over [`MAX_BODY`].
pub fn parse_frame(buf: &[u8]) -> Result<(&[u8], &[u8]), OnionError> {
    if buf.len() > MAX_BODY {
        return Err(OnionError::TooLarge {
            what: "onion frame",
            size: buf.len(),
            limit: MAX_BODY,
        });
    }
    let (prefix, rest) = buf.split_first_chunk::<4>().ok_or(OnionError::Truncated {
        what: "onion frame length prefix",
        needed: 4,
        actual: buf.len(),
    })?;
    let n = u32::from_le_bytes(*prefix) as usize;
    if rest.len() < n {
        return Err(OnionError::Truncated {
            what: "onion frame",
            needed: 4 + n,
            actual: buf.len(),
        });
    }
    Ok(rest.split_at(n))
}

/// Parses routing JSON into an object.
pub(crate) fn parse_meta(
    meta: &[u8],
    what: &'static str,
) -> Result<Map<String, Value>, OnionError> {
    match serde_json::from_slice::<Value>(meta) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(OnionError::BadJson {
            what,
            reason: "not a JSON object".into(),
        }),
        Err(e) => Err(OnionError::BadJson {
            what,
            reason: clip(&e.to_string()),
        }),
    }
}

/// A string field, if present (an error if present with another type).
pub(crate) fn opt_str<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
    what: &'static str,
) -> Result<Option<&'a str>, OnionError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(OnionError::BadField {
            what,
            field,
            reason: "not a string".into(),
        }),
    }
}

/// A required string field.
pub(crate) fn req_str<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
    what: &'static str,
) -> Result<&'a str, OnionError> {
    opt_str(map, field, what)?.ok_or(OnionError::MissingField { what, field })
}

/// A 32-byte key given as 64 hex digits.
pub(crate) fn hex_key(
    text: &str,
    field: &'static str,
    what: &'static str,
) -> Result<[u8; 32], OnionError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).map_err(|_| OnionError::BadField {
        what,
        field,
        reason: "not 64 hex digits".into(),
    })?;
    Ok(out)
}

/// `enc_type`, defaulting to AES-GCM when absent (network.md §3.1).
pub(crate) fn enc_type(
    map: &Map<String, Value>,
    what: &'static str,
) -> Result<EncType, OnionError> {
    match opt_str(map, "enc_type", what)? {
        None => Ok(EncType::AesGcm),
        Some(name) => name.parse().map_err(|_| OnionError::UnknownCipher {
            name: name.chars().take(32).collect(),
        }),
    }
}

/// A received layer, `u32le ‖ ciphertext ‖ JSON`, split and its key fields read: the
/// ciphertext, the sender's `ephemeral_key`, `enc_type` (AES-GCM if absent) and the JSON.
pub(crate) fn parse_layer<'a>(
    body: &'a [u8],
    what: &'static str,
) -> Result<LayerHeader<'a>, OnionError> {
    let (ciphertext, meta) = parse_frame(body)?;
    let meta = parse_meta(meta, what)?;
    let ephemeral = hex_key(
        req_str(&meta, "ephemeral_key", what)?,
        "ephemeral_key",
        what,
    )?;
    let enc = enc_type(&meta, what)?;
    Ok(LayerHeader {
        ciphertext,
        ephemeral,
        enc,
        meta,
    })
}

/// A received layer split by [`parse_layer`].
pub(crate) struct LayerHeader<'a> {
    pub ciphertext: &'a [u8],
    pub ephemeral: [u8; 32],
    pub enc: EncType,
    pub meta: Map<String, Value>,
}

/// The trailer of the body POSTed to the guard: `{"enc_type", "ephemeral_key"}`.
#[derive(Serialize)]
pub(crate) struct GuardMeta<'a> {
    pub enc_type: &'a str,
    pub ephemeral_key: String,
}

/// The trailer a relay sends to the next snode: `{"enc_type", "ephemeral_key", "hop_no"}`.
#[derive(Serialize)]
pub(crate) struct ForwardMeta<'a> {
    pub enc_type: &'a str,
    pub ephemeral_key: String,
    pub hop_no: u64,
}

/// Route to the next snode: `{"destination", "enc_type", "ephemeral_key"}`.
#[derive(Serialize)]
pub(crate) struct RelayMeta<'a> {
    pub destination: String,
    pub enc_type: &'a str,
    pub ephemeral_key: String,
}

/// Route for the last hop to a server (fields in sorted order).
#[derive(Serialize)]
pub(crate) struct ServerMeta<'a> {
    pub enc_type: &'a str,
    pub ephemeral_key: String,
    pub host: &'a str,
    pub method: &'a str,
    pub port: u16,
    pub protocol: &'a str,
    pub target: &'a str,
}

/// The final-destination marker for a snode RPC (`{"headers":""}`).
#[derive(Serialize)]
pub(crate) struct FinalMeta {
    pub headers: &'static str,
}

/// Compact JSON of one of the structs above.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Invariant: these structs hold only strings and integers, which always serialise.
    #[allow(clippy::expect_used)]
    serde_json::to_vec(value).expect("routing JSON of strings and integers serialises")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_reject_short_buffers() {
        let f = frame(b"abc", b"{}").unwrap();
        assert_eq!(f, b"\x03\0\0\0abc{}");
        assert_eq!(parse_frame(&f).unwrap(), (&b"abc"[..], &b"{}"[..]));
        assert_eq!(
            parse_frame(b"\x03\0"),
            Err(OnionError::Truncated {
                what: "onion frame length prefix",
                needed: 4,
                actual: 2
            })
        );
        assert_eq!(
            parse_frame(b"\x05\0\0\0abc"),
            Err(OnionError::Truncated {
                what: "onion frame",
                needed: 9,
                actual: 7
            })
        );
    }

    #[test]
    fn enc_type_defaults_to_aes_gcm_and_rejects_cbc() {
        let m = parse_meta(br#"{"ephemeral_key":"00"}"#, "t").unwrap();
        assert_eq!(enc_type(&m, "t").unwrap(), EncType::AesGcm);
        let m = parse_meta(br#"{"enc_type":"aes-cbc"}"#, "t").unwrap();
        assert_eq!(
            enc_type(&m, "t"),
            Err(OnionError::UnknownCipher {
                name: "aes-cbc".into()
            })
        );
        assert!(matches!(
            parse_meta(b"[1]", "t"),
            Err(OnionError::BadJson { .. })
        ));
    }
}
