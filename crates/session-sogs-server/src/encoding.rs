//! The reference server's lenient-but-strict decoders, reproduced exactly because clients rely
//! on which inputs they accept (spec/sogs-api.md §1.1, `PS:sogs/utils.py`):
//!
//! - base64 is the standard alphabet only (never URL-safe), padding optional;
//! - "hex or base64" of an `N`-byte value is told apart by length alone;
//! - integers are parsed like Python's `int(str)`.

use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, GeneralPurpose as Gp};

/// Standard alphabet, canonical padding required (we add missing padding first), and like
/// Python's `binascii` the unused low bits of the last symbol are ignored.
const LENIENT: GeneralPurpose = Gp::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Standard padded base64, as every response uses.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decodes base64 with or without padding; only the standard alphabet (pysogs
/// `decode_base64`: pads a 2- or 3-remainder input that lacks `=`, then decodes strictly).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let rem = s.len() % 4;
    let padded;
    let input = if (rem == 2 || rem == 3) && !s.ends_with('=') {
        padded = format!("{s}{}", "=".repeat(4 - rem));
        padded.as_str()
    } else {
        s
    };
    LENIENT.decode(input).ok()
}

/// Decodes an `N`-byte value given as `2N` hex digits or as base64 (padded or not), telling the
/// two apart by length only (pysogs `decode_hex_or_b64`).
pub(crate) fn decode_hex_or_b64<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() == N * 2 {
        let mut out = [0u8; N];
        return hex::decode_to_slice(s, &mut out).ok().map(|()| out);
    }
    let padded_len = N.div_ceil(3) * 4;
    let unpadded_len = (N * 4).div_ceil(3);
    if (unpadded_len..=padded_len).contains(&s.len()) {
        return decode_base64(s).and_then(|v| v.try_into().ok());
    }
    None
}

/// Parses an integer the way Python's `int(str)` does for ASCII input: surrounding whitespace,
/// an optional sign, and digits that may be separated by single underscores. Python integers
/// are unbounded; values beyond `i64` saturate, which keeps every comparison the server makes
/// with them (time window, clamped limits) as Python's.
pub(crate) fn python_int(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty()
        || !bytes[0].is_ascii_digit()
        || !bytes[bytes.len() - 1].is_ascii_digit()
        || digits.contains("__")
        || !bytes.iter().all(|b| b.is_ascii_digit() || *b == b'_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    Some(match (clean.parse::<i64>(), neg) {
        (Ok(v), false) => v,
        (Ok(v), true) => -v,
        (Err(_), false) => i64::MAX,
        (Err(_), true) => i64::MIN,
    })
}

/// Python's truthiness of a JSON value (`bool(x)`), which the reference applies to many
/// request fields: `null`, `false`, `0`, `""`, `[]` and `{}` are false.
pub(crate) fn truthy(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Percent-decodes a path strictly (Python `urllib.parse.unquote(errors='strict')` on a
/// sub-request path): `None` when the decoded bytes are not UTF-8. `%` not followed by two hex
/// digits is kept literally, as `unquote` does.
pub(crate) fn percent_decode_strict(path: &str) -> Option<String> {
    String::from_utf8(session_crypto::percent_decode_path(path)).ok()
}

/// Percent-decodes a request path for routing, replacing invalid UTF-8 with U+FFFD (what
/// Werkzeug does to `PATH_INFO`).
pub(crate) fn percent_decode_lossy(path: &str) -> String {
    String::from_utf8_lossy(&session_crypto::percent_decode_path(path)).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn nonce_encodings_accepted_and_rejected_like_pysogs() {
        let raw = *b"0123456789abcdef";
        let b64 = encode_base64(&raw);
        assert_eq!(b64.len(), 24);
        assert_eq!(decode_hex_or_b64::<16>(&b64), Some(raw));
        assert_eq!(
            decode_hex_or_b64::<16>(b64.trim_end_matches('=')),
            Some(raw)
        );
        assert_eq!(decode_hex_or_b64::<16>(&hex::encode(raw)), Some(raw));
        // 25 chars (extra '='), 23 chars ending in a single '=', 18 chars: all rejected.
        assert_eq!(decode_hex_or_b64::<16>(&format!("{b64}=")), None);
        assert_eq!(decode_hex_or_b64::<16>(&b64[..23]), None);
        assert_eq!(decode_hex_or_b64::<16>(&b64[..18]), None);
        let h = hex::encode(raw);
        assert_eq!(decode_hex_or_b64::<16>(&h[..31]), None);
        assert_eq!(decode_hex_or_b64::<16>(&h[..30]), None);
        assert_eq!(decode_hex_or_b64::<16>(&format!("{h}ff")), None);
    }

    #[test]
    fn url_safe_base64_is_rejected() {
        let raw = [0xfbu8; 16];
        let std = encode_base64(&raw);
        assert!(std.contains('+') || std.contains('/'));
        let url = std.replace('+', "-").replace('/', "_");
        assert_eq!(decode_hex_or_b64::<16>(&url), None);
        assert_eq!(decode_base64(&url), None);
    }

    #[test]
    fn python_int_rules() {
        assert_eq!(python_int("1642079887"), Some(1_642_079_887));
        assert_eq!(python_int(" 12 "), Some(12));
        assert_eq!(python_int("+7"), Some(7));
        assert_eq!(python_int("-7"), Some(-7));
        assert_eq!(python_int("1_000"), Some(1000));
        assert_eq!(python_int("1642079887a"), None);
        assert_eq!(python_int("1__0"), None);
        assert_eq!(python_int("_1"), None);
        assert_eq!(python_int(""), None);
        assert_eq!(python_int("1.5"), None);
        assert_eq!(python_int("99999999999999999999999"), Some(i64::MAX));
        assert_eq!(python_int("-99999999999999999999999"), Some(i64::MIN));
    }

    #[test]
    fn strict_path_decoding_rejects_invalid_utf8() {
        assert_eq!(
            percent_decode_strict("/a/%F0%9F%8D%8D").as_deref(),
            Some("/a/🍍")
        );
        assert_eq!(percent_decode_strict("/a/%FF"), None);
        assert_eq!(percent_decode_lossy("/a/%FF"), "/a/\u{FFFD}");
        assert_eq!(percent_decode_strict("/a%zz").as_deref(), Some("/a%zz"));
    }
}
