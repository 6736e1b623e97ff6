//! Thin wrappers over the hash functions the Session protocols use, fed in parts so that
//! callers never build temporary concatenations.

use blake2::digest::{FixedOutput, KeyInit, Update, consts::U24, consts::U32, consts::U64};
use blake2::{Blake2b, Blake2bMac};
use sha2::{Digest, Sha512};

/// SHA-512 over the concatenation of `parts`.
pub(crate) fn sha512(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Sha512::new();
    for p in parts {
        Digest::update(&mut h, p);
    }
    h.finalize().into()
}

/// Unkeyed BLAKE2b with a 64-byte digest over the concatenation of `parts`.
pub(crate) fn blake2b_512(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Blake2b::<U64>::default();
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// Unkeyed BLAKE2b with a 32-byte digest.
pub(crate) fn blake2b_256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Blake2b::<U32>::default();
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// Unkeyed BLAKE2b with a 24-byte digest (the sealed-box nonce).
pub(crate) fn blake2b_192(parts: &[&[u8]]) -> [u8; 24] {
    let mut h = Blake2b::<U24>::default();
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// Keyed BLAKE2b (MAC mode) with a 32-byte digest. `key` must be 1..=64 bytes.
pub(crate) fn blake2b_keyed_256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // Invariant: every caller passes a constant key of 1..=64 bytes, which
    // `new_from_slice` accepts (it rejects only keys longer than 64 bytes).
    #[allow(clippy::expect_used)]
    let mut h = Blake2bMac::<U32>::new_from_slice(key).expect("BLAKE2b key of 1..=64 bytes");
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// Keyed BLAKE2b (MAC mode) with a 64-byte digest. `key` must be 1..=64 bytes.
pub(crate) fn blake2b_keyed_512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    // Invariant: as in `blake2b_keyed_256`, keys are constants of 1..=64 bytes.
    #[allow(clippy::expect_used)]
    let mut h = Blake2bMac::<U64>::new_from_slice(key).expect("BLAKE2b key of 1..=64 bytes");
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// Personalised, unkeyed, unsalted BLAKE2b-512 (libsodium
/// `crypto_generichash_blake2b_salt_personal` with no key). `personal` is at most 16 bytes.
pub(crate) fn blake2b_personal_512(personal: &[u8; 16], parts: &[&[u8]]) -> [u8; 64] {
    // Invariant: no key, an empty salt and a 16-byte personal string are always accepted
    // (the limits are 64, 16 and 16 bytes).
    #[allow(clippy::expect_used)]
    let mut h = Blake2bMac::<U64>::new_with_salt_and_personal(None, &[], personal)
        .expect("16-byte personal string is within BLAKE2b limits");
    for p in parts {
        Update::update(&mut h, p);
    }
    h.finalize_fixed().into()
}

/// BLAKE2b with every parameter libsodium and pysogs expose: a digest of `output_len` bytes
/// (1..=64), an optional `key` (0..=64 bytes; empty means unkeyed), and a `salt` and
/// `personal` string of up to 16 bytes each (zero-padded, as in the BLAKE2 parameter block).
///
/// This is `crypto_generichash_blake2b_salt_personal` (libsodium) and pysogs
/// `sogs.hashing.blake2b`. The protocol hashes of this crate are fixed instances of it.
///
/// ```
/// // BLAKE2b-512("abc"), RFC 7693 Appendix A.
/// let h = session_crypto::blake2b(64, b"", b"", b"", b"abc")?;
/// assert_eq!(hex::encode(&h[..8]), "ba80a53f981c4d0d");
/// # Ok::<(), session_crypto::Error>(())
/// ```
pub fn blake2b(
    output_len: usize,
    key: &[u8],
    salt: &[u8],
    personal: &[u8],
    data: &[u8],
) -> crate::Result<Vec<u8>> {
    use blake2::Blake2bVarCore;
    use blake2::digest::block_api::{Buffer, UpdateCore, VariableOutputCore};
    use blake2::digest::block_buffer::LazyBuffer;

    let check = |what: &'static str, actual: usize, max: usize, min: usize| {
        if (min..=max).contains(&actual) {
            Ok(())
        } else {
            Err(crate::Error::InvalidLength {
                what,
                expected: max,
                actual,
            })
        }
    };
    check("BLAKE2b output length", output_len, 64, 1)?;
    check("BLAKE2b key", key.len(), 64, 0)?;
    check("BLAKE2b salt", salt.len(), 16, 0)?;
    check("BLAKE2b personal string", personal.len(), 16, 0)?;

    let mut core = Blake2bVarCore::new_with_params(salt, personal, key.len(), output_len);
    // A key is absorbed as a first block of its own, zero-padded to 128 bytes (RFC 7693 §3.3).
    let mut buffer: Buffer<Blake2bVarCore> = if key.is_empty() {
        Buffer::<Blake2bVarCore>::default()
    } else {
        let mut block = zeroize::Zeroizing::new([0u8; 128]);
        block[..key.len()].copy_from_slice(key);
        LazyBuffer::new(&block[..])
    };
    buffer.digest_blocks(data, |blocks| core.update_blocks(blocks));
    let mut full = blake2::digest::Output::<Blake2bVarCore>::default();
    core.finalize_variable_core(&mut buffer, &mut full);
    Ok(full[..output_len].to_vec())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn blake2b_512_of_empty_matches_rfc7693_appendix() {
        // BLAKE2b-512("") from RFC 7693 / the reference implementation.
        assert_eq!(
            hex::encode(blake2b_512(&[])),
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419\
             d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
        );
    }

    #[test]
    fn general_blake2b_agrees_with_the_fixed_instances() {
        let data = b"session";
        assert_eq!(
            blake2b(64, b"", b"", b"", data).unwrap(),
            blake2b_512(&[data])
        );
        assert_eq!(
            blake2b(24, b"", b"", b"", data).unwrap(),
            blake2b_192(&[data])
        );
        assert_eq!(
            blake2b(32, b"key", b"", b"", data).unwrap(),
            blake2b_keyed_256(b"key", &[data])
        );
        assert_eq!(
            blake2b(64, b"", b"", b"xed25519signatur", data).unwrap(),
            blake2b_personal_512(b"xed25519signatur", &[data])
        );
        // A full-block message exercises the lazy buffer's last-block rule.
        let block = [7u8; 128];
        assert_eq!(
            blake2b(64, b"", b"", b"", &block).unwrap(),
            blake2b_512(&[&block])
        );
        assert!(blake2b(0, b"", b"", b"", data).is_err());
        assert!(blake2b(65, b"", b"", b"", data).is_err());
        assert!(blake2b(32, &[0; 65], b"", b"", data).is_err());
        assert!(blake2b(32, b"", &[0; 17], b"", data).is_err());
        assert!(blake2b(32, b"", b"", &[0; 17], data).is_err());
    }

    #[test]
    fn parts_hash_like_their_concatenation() {
        assert_eq!(blake2b_256(&[b"ab", b"c"]), blake2b_256(&[b"abc"]));
        assert_eq!(sha512(&[b"a", b"", b"bc"]), sha512(&[b"abc"]));
    }
}
