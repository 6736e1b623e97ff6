//! Deterministic attachment and profile-picture encryption (spec/crypto.md §9, the scheme behind
//! Session Desktop's `useDeterministicEncryption` flag).
//!
//! The key and the stream header are a keyed, personalised BLAKE2b hash of the plaintext under
//! the uploader's Ed25519 seed, so the same upload by the same user encrypts to the same bytes
//! (the file server can deduplicate re-uploads, e.g. of a profile picture):
//!
//! ```text
//! nk     = BLAKE2b-448(key = ed25519 seed(32), personal = "SessionAttachmnt" | "Session_Prof_Pic", data)
//! header = nk[0..24]        key = nk[24..56]
//! stream = 0x00 × (padding − 1) ‖ 0x01 ‖ data          (padding = padding_len(len(data)) ≥ 1)
//! output = 'S' ‖ header ‖ secretstream chunks of 32 768 stream bytes (+17 each), the last FINAL
//! ```
//!
//! The padding rounds the whole output up to a multiple of `bit_floor(max(size, 131072)) / 32`.
//! Facts from libsession-util `src/attachments.cpp` and `include/session/attachments.hpp`
//! (revision 02663c0; read, not copied). There are no published vectors for this scheme: the
//! secretstream layer and the whole output are checked byte for byte against libsodium
//! (`tests/differential.rs`), and the sizes against the worked examples of libsession's header.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::blake2b;
use crate::identity::Identity;
use crate::secretstream::{ABYTES, HEADER_LEN, SecretStream, TAG_FINAL, TAG_MESSAGE};

/// The first byte of the output, marking this scheme.
pub const PREFIX: u8 = b'S';
/// Stream bytes per encrypted chunk.
pub const CHUNK_SIZE: usize = 32_768;
/// The largest plaintext that fits the storage server's onion-request limit once encrypted
/// (10 223 616 bytes, the same as a 10 000 000-byte file).
pub const MAX_REGULAR_SIZE: usize = 10_218_286;
/// Length of the decryption key.
pub const KEY_LEN: usize = 32;

/// An encrypted chunk: stream bytes plus tag and MAC.
const ENCRYPTED_CHUNK: usize = CHUNK_SIZE + ABYTES;
/// `'S'` and the stream header.
const PREFIX_LEN: usize = 1 + HEADER_LEN;

/// What an upload is for; different purposes derive unrelated keys from the same data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Domain {
    /// A file sent to another user.
    Attachment,
    /// A profile picture.
    ProfilePicture,
}

impl Domain {
    /// The BLAKE2b personalisation string of the domain.
    const fn personal(self) -> &'static [u8; 16] {
        match self {
            Self::Attachment => b"SessionAttachmnt",
            Self::ProfilePicture => b"Session_Prof_Pic",
        }
    }
}

/// How many padding bytes (zeros, then `0x01`) precede `data_len` bytes of data.
///
/// The total output is rounded up to a multiple of `bit_floor(max(size, 131072)) >> 5`; padding
/// that crosses a 32 KiB chunk boundary brings its own 17-byte chunk overhead, which counts as
/// padding.
pub fn padding_len(data_len: usize) -> usize {
    let chunks = data_len.div_ceil(CHUNK_SIZE);
    let unpadded = data_len
        .saturating_add(PREFIX_LEN + 1)
        .saturating_add(chunks.saturating_mul(ABYTES));
    let factor = unpadded
        .max(131_072)
        .checked_ilog2()
        .map_or(1, |bits| 1usize << bits)
        >> 5;
    let padded = unpadded.div_ceil(factor).saturating_mul(factor);
    let padding = padded - unpadded + 1;
    // Whole chunks of padding carry their own overhead...
    let mut implicit = padding / ENCRYPTED_CHUNK * ABYTES;
    // ...and so does a remainder that spills past the free space of the last data chunk.
    let free = chunks * CHUNK_SIZE - data_len;
    if padding % ENCRYPTED_CHUNK > free {
        implicit += ABYTES;
    }
    // Never below the one mandatory byte (libsession's formula stays ≥ 1 for every size up to
    // well past MAX_REGULAR_SIZE; this only guards absurd sizes).
    padding.saturating_sub(implicit).max(1)
}

/// The exact output length for `data_len` bytes of data.
pub fn encrypted_size(data_len: usize) -> usize {
    let stream = data_len.saturating_add(padding_len(data_len));
    PREFIX_LEN
        .saturating_add(stream)
        .saturating_add(stream.div_ceil(CHUNK_SIZE).saturating_mul(ABYTES))
}

/// An encrypted upload and the key its recipients need.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Encrypted {
    /// The bytes to upload: `'S' ‖ header ‖ chunks`.
    pub data: Vec<u8>,
    /// The 32-byte decryption key (sent in the attachment pointer or profile). Secret.
    pub key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for Encrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encrypted")
            .field("data_len", &self.data.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Encrypts `data` deterministically for `domain`, keyed by `uploader`'s Ed25519 seed.
///
/// Fails with [`Error::TooLong`] above [`MAX_REGULAR_SIZE`] bytes, the largest upload that
/// still fits an onion request once encrypted.
///
/// ```
/// use session_crypto::Identity;
/// use session_crypto::attachment::deterministic::{self, Domain};
/// let me = Identity::generate()?;
/// let enc = deterministic::encrypt(&me, b"a picture", Domain::ProfilePicture)?;
/// assert_eq!(enc.data.len(), deterministic::encrypted_size(9));
/// assert_eq!(deterministic::encrypt(&me, b"a picture", Domain::ProfilePicture)?, enc);
/// assert_eq!(deterministic::decrypt(&enc.data, &enc.key)?, b"a picture");
/// # Ok::<(), session_crypto::Error>(())
/// ```
pub fn encrypt(uploader: &Identity, data: &[u8], domain: Domain) -> Result<Encrypted> {
    if data.len() > MAX_REGULAR_SIZE {
        return Err(Error::TooLong {
            what: "attachment",
            maximum: MAX_REGULAR_SIZE,
            actual: data.len(),
        });
    }
    encrypt_with_seed(uploader.ed25519_seed(), data, domain)
}

/// [`encrypt`] keyed by a raw 32-byte seed, without the size limit.
pub(crate) fn encrypt_with_seed(seed: &[u8; 32], data: &[u8], domain: Domain) -> Result<Encrypted> {
    let nonce_key = Zeroizing::new(blake2b(
        HEADER_LEN + KEY_LEN,
        seed,
        b"",
        domain.personal(),
        data,
    )?);
    let (header, key_bytes) = nonce_key.split_at(HEADER_LEN);
    let mut header_arr = [0u8; HEADER_LEN];
    header_arr.copy_from_slice(header);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(key_bytes);

    let padding = padding_len(data.len());
    let mut stream = Zeroizing::new(Vec::with_capacity(padding + data.len()));
    stream.resize(padding - 1, 0);
    stream.push(0x01);
    stream.extend_from_slice(data);

    let mut out = Vec::with_capacity(encrypted_size(data.len()));
    out.push(PREFIX);
    out.extend_from_slice(&header_arr);
    let mut state = SecretStream::new(&key, &header_arr);
    let count = stream.len().div_ceil(CHUNK_SIZE);
    for (i, chunk) in stream.chunks(CHUNK_SIZE).enumerate() {
        let tag = if i + 1 == count {
            TAG_FINAL
        } else {
            TAG_MESSAGE
        };
        state.push(chunk, tag, &mut out);
    }
    Ok(Encrypted { data: out, key })
}

/// Decrypts an upload made by [`encrypt`] (by anyone) with its 32-byte key.
///
/// Errors: [`Error::TooShort`] for less than a prefix, header and one chunk;
/// [`Error::UnsupportedVersion`] when the first byte is not `'S'`; [`Error::DecryptionFailed`]
/// for a wrong key or tampered chunk (`"attachment stream"`), a stream cut short or extended
/// past its final chunk (`"attachment stream (truncated)"`, `"attachment stream (data after
/// the final chunk)"`), and padding that is not zeros followed by `0x01`
/// (`"attachment padding"`).
pub fn decrypt(encrypted: &[u8], key: &[u8; KEY_LEN]) -> Result<Vec<u8>> {
    let minimum = PREFIX_LEN + ABYTES + 1;
    let too_short = Error::TooShort {
        what: "attachment",
        minimum,
        actual: encrypted.len(),
    };
    if encrypted.len() < minimum {
        return Err(too_short);
    }
    let (&prefix, rest) = encrypted.split_first().ok_or(too_short.clone())?;
    if prefix != PREFIX {
        return Err(Error::UnsupportedVersion {
            what: "attachment",
            version: prefix,
        });
    }
    let (header, body) = rest.split_first_chunk::<HEADER_LEN>().ok_or(too_short)?;
    let mut state = SecretStream::new(key, header);
    let mut plain = Zeroizing::new(Vec::with_capacity(body.len()));
    let count = body.len().div_ceil(ENCRYPTED_CHUNK);
    for (i, chunk) in body.chunks(ENCRYPTED_CHUNK).enumerate() {
        let tag = state.pull(chunk, &mut plain)?;
        let last = i + 1 == count;
        if tag == TAG_FINAL && !last {
            return Err(Error::DecryptionFailed {
                what: "attachment stream (data after the final chunk)",
            });
        }
        if last && tag != TAG_FINAL {
            return Err(Error::DecryptionFailed {
                what: "attachment stream (truncated)",
            });
        }
    }
    let bad_padding = Error::DecryptionFailed {
        what: "attachment padding",
    };
    let start = plain
        .iter()
        .position(|&b| b != 0)
        .ok_or(bad_padding.clone())?;
    if plain.get(start) != Some(&0x01) {
        return Err(bad_padding);
    }
    Ok(plain.split_off(start + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_libsessions_worked_examples() {
        // attachments.hpp: a 1 000 000-byte file encrypts to 1 015 808 bytes, and
        // MAX_REGULAR_SIZE as well as a 10 000 000-byte file to 10 223 616.
        assert_eq!(encrypted_size(1_000_000), 1_015_808);
        assert_eq!(encrypted_size(MAX_REGULAR_SIZE), 10_223_616);
        assert_eq!(encrypted_size(10_000_000), 10_223_616);
        assert_eq!(encrypted_size(0), 4096);
        // Always at least one padding byte.
        for n in [0usize, 1, 100, 32_767, 32_768, 32_769, 131_000, 1 << 20] {
            assert!(padding_len(n) >= 1, "n={n}");
            let size = encrypted_size(n);
            let factor = (size.max(131_072).ilog2() - 5) as usize;
            assert_eq!(size % (1 << factor), 0, "n={n} size={size}");
        }
    }

    #[test]
    fn round_trips_at_chunk_boundaries_with_exact_sizes() {
        let seed = [3u8; 32];
        for n in [
            0usize, 1, 4000, 4054, 4055, 32_767, 32_768, 32_769, 70_000, 200_000,
        ] {
            let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let enc = encrypt_with_seed(&seed, &data, Domain::Attachment).unwrap();
            assert_eq!(enc.data.len(), encrypted_size(n), "n={n}");
            assert_eq!(enc.data[0], PREFIX);
            assert_eq!(decrypt(&enc.data, &enc.key).unwrap(), data, "n={n}");
        }
    }

    #[test]
    fn deterministic_per_uploader_and_domain() {
        let a = encrypt_with_seed(&[1; 32], b"same", Domain::Attachment).unwrap();
        assert_eq!(
            a,
            encrypt_with_seed(&[1; 32], b"same", Domain::Attachment).unwrap()
        );
        let other_user = encrypt_with_seed(&[2; 32], b"same", Domain::Attachment).unwrap();
        let other_domain = encrypt_with_seed(&[1; 32], b"same", Domain::ProfilePicture).unwrap();
        assert_ne!(a.key, other_user.key);
        assert_ne!(a.key, other_domain.key);
        assert_ne!(a.data, other_domain.data);
        assert!(!format!("{a:?}").contains(&hex::encode(&a.key[..4])));
    }

    #[test]
    fn rejects_wrong_keys_tampering_truncation_and_extension() {
        let data = vec![9u8; 40_000];
        let enc = encrypt_with_seed(&[4; 32], &data, Domain::Attachment).unwrap();
        let chunks = (enc.data.len() - PREFIX_LEN).div_ceil(ENCRYPTED_CHUNK);
        assert_eq!(chunks, 2);
        assert!(decrypt(&enc.data, &[0; 32]).is_err());
        let mut bad = enc.data.clone();
        bad[PREFIX_LEN + 100] ^= 1;
        assert_eq!(
            decrypt(&bad, &enc.key),
            Err(Error::DecryptionFailed {
                what: "attachment stream"
            })
        );
        // Cut after the first chunk: it verifies but is not FINAL.
        let cut = &enc.data[..PREFIX_LEN + ENCRYPTED_CHUNK];
        assert_eq!(
            decrypt(cut, &enc.key),
            Err(Error::DecryptionFailed {
                what: "attachment stream (truncated)"
            })
        );
        let mut longer = enc.data.clone();
        longer.extend_from_slice(&[0; 20]);
        assert!(decrypt(&longer, &enc.key).is_err());
        let mut prefix = enc.data.clone();
        prefix[0] = b'T';
        assert_eq!(
            decrypt(&prefix, &enc.key),
            Err(Error::UnsupportedVersion {
                what: "attachment",
                version: b'T'
            })
        );
        assert!(matches!(
            decrypt(&enc.data[..42], &enc.key),
            Err(Error::TooShort { .. })
        ));
    }

    #[test]
    fn rejects_padding_that_is_not_zeros_then_one() {
        // Build streams by hand with the secretstream layer.
        for stream in [&[0u8, 0, 0][..], &[0, 2, 5], &[]] {
            let (key, header) = ([5u8; 32], [6u8; HEADER_LEN]);
            let mut out = vec![PREFIX];
            out.extend_from_slice(&header);
            SecretStream::new(&key, &header).push(stream, TAG_FINAL, &mut out);
            let result = decrypt(&out, &key);
            assert!(
                matches!(
                    result,
                    Err(Error::DecryptionFailed { .. } | Error::TooShort { .. })
                ),
                "{stream:?}: {result:?}"
            );
        }
    }

    #[test]
    fn refuses_uploads_over_the_regular_limit() {
        let me = Identity::from_seed(&[1; 16]).unwrap();
        let big = vec![0u8; MAX_REGULAR_SIZE + 1];
        assert_eq!(
            encrypt(&me, &big, Domain::Attachment),
            Err(Error::TooLong {
                what: "attachment",
                maximum: MAX_REGULAR_SIZE,
                actual: MAX_REGULAR_SIZE + 1
            })
        );
    }
}
