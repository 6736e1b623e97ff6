//! Small encodings the protocol needs: base64 in the forms servers and links use, base32z
//! server keys, and percent-encoding of path segments.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes left unescaped in a path segment: RFC 3986 unreserved characters. Everything else,
/// `/` included (reactions may contain it, spec §2.3), is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment. The request is signed over the decoded form
/// (spec §1.2), which `session_crypto::request_message` recovers.
pub(crate) fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Decodes standard base64 with or without padding: what servers send (spec §6.6).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .ok()
}

/// Decodes base64 in either alphabet, padded or not (join-link keys).
pub(crate) fn decode_base64_any(s: &str) -> Option<Vec<u8>> {
    decode_base64(s)
        .or_else(|| URL_SAFE.decode(s).ok())
        .or_else(|| URL_SAFE_NO_PAD.decode(s).ok())
}

/// Encodes standard padded base64 (what requests carry, spec §1.1).
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The z-base-32 alphabet (Oxen's `base32z`).
const BASE32Z: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Decodes z-base-32 (case-insensitive). Leftover bits past the last full byte must be zero.
pub(crate) fn decode_base32z(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let c = c.to_ascii_lowercase();
        let v = BASE32Z.iter().position(|&a| a == c)?;
        acc = (acc << 5) | u32::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
        acc &= (1 << bits) - 1;
    }
    (acc == 0).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_everything_but_unreserved() {
        assert_eq!(encode_segment("🍍"), "%F0%9F%8D%8D");
        assert_eq!(encode_segment("y/n"), "y%2Fn");
        assert_eq!(encode_segment("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_segment("?#%"), "%3F%23%25");
    }

    #[test]
    fn base32z_decodes_the_libsession_key() {
        // Vector libsession_community_url_parse_8: the same key as 0123…cdef in hex.
        let bytes = decode_base32z("yrtwk3hjixg66yjdeiuauk6p7hy1gtm8tgih55abrpnsxnpm3zzo").unwrap();
        assert_eq!(
            hex::encode(bytes),
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(decode_base32z("yl"), None, "'l' is not in the alphabet");
        assert_eq!(decode_base32z("yn"), None, "non-zero trailing bits");
    }

    #[test]
    fn base64_accepts_both_paddings_and_alphabets() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("aGk").unwrap(), b"hi");
        assert_eq!(decode_base64("-_8"), None);
        assert_eq!(decode_base64_any("-_8").unwrap(), [0xfb, 0xff]);
    }
}
