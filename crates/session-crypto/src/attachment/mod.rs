//! Attachment and avatar encryption (spec/crypto.md §9).
//!
//! | Kind | Scheme | Here |
//! |---|---|---|
//! | Community (SOGS) attachments | **none**: uploaded as plain bytes, the pointer has no key or digest | nothing to do |
//! | 1:1 / group attachments (legacy) | AES-256-CBC + HMAC-SHA256, SHA-256 digest, size-hiding padding | [`encrypt`], [`decrypt`], [`padded_len`] |
//! | Profile pictures (legacy) | AES-256-GCM with the 32-byte profile key | [`encrypt_profile_picture`], [`decrypt_profile_picture`] |
//! | Attachments and profile pictures, deterministic (new) | secretstream XChaCha20-Poly1305, key = keyed BLAKE2b of the content | [`deterministic`] |
//!
//! The legacy attachment blob is `iv(16) ‖ AES-256-CBC-PKCS#7(data) ‖ HMAC-SHA256(mac_key, iv ‖ ct)`
//! with the 64-byte pointer key `aes_key(32) ‖ mac_key(32)`; the pointer also carries
//! `digest = SHA-256(blob)` and the unpadded size. Decryption checks the MAC and the digest, in
//! constant time, before anything is decrypted.
//!
//! The newer deterministic scheme (libsodium secretstream keyed by a personalised BLAKE2b hash
//! of the content, for deduplicated uploads) is in [`deterministic`].

use std::fmt;

use aes::Aes256;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::rng::{fill_random, random_array};

pub mod deterministic;

/// Length of the pointer key: AES-256 key ‖ HMAC-SHA256 key.
pub const KEYS_LEN: usize = 64;
/// Length of the CBC IV at the start of a blob.
const IV_LEN: usize = 16;
/// Length of the HMAC-SHA256 at the end of a blob.
const MAC_LEN: usize = 32;
/// AES block size.
const BLOCK: usize = 16;
/// The smallest attachment padding target (Session Desktop `addAttachmentPadding`).
const MIN_PADDED_LEN: usize = 541;
/// Session's attachment size limit, where padding is capped.
pub const MAX_ATTACHMENT_SIZE: usize = 10_000_000;

/// Length of the GCM IV at the start of a profile picture blob.
const GCM_IV_LEN: usize = 12;
/// Length of the GCM tag at the end of a profile picture blob.
const GCM_TAG_LEN: usize = 16;
/// Session Desktop's minimum profile picture blob: IV, tag and at least one byte.
pub const MIN_PROFILE_PICTURE_LEN: usize = GCM_IV_LEN + GCM_TAG_LEN + 1;

/// An encrypted legacy attachment and what its `AttachmentPointer` must carry.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncryptedAttachment {
    /// The pointer key: AES-256 key ‖ HMAC-SHA256 key. Secret.
    pub keys: Zeroizing<[u8; KEYS_LEN]>,
    /// The blob to upload: `iv ‖ ciphertext ‖ mac`.
    pub blob: Vec<u8>,
    /// SHA-256 of the blob (the pointer's `digest`).
    pub digest: [u8; 32],
    /// The plaintext length before padding (the pointer's `size`).
    pub size: usize,
}

impl fmt::Debug for EncryptedAttachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedAttachment")
            .field("keys", &"<redacted>")
            .field("blob_len", &self.blob.len())
            .field("digest", &hex::encode(self.digest))
            .field("size", &self.size)
            .finish()
    }
}

/// The padded length of an `n`-byte attachment: `max(541, ⌊1.05^⌈log₁.₀₅ n⌉⌋)`, capped at
/// [`MAX_ATTACHMENT_SIZE`] for attachments within the limit, and never less than `n`.
///
/// Computed in `f64` exactly as Session Desktop's `addAttachmentPadding` does, so both pick the
/// same bucket.
pub fn padded_len(n: usize) -> usize {
    #[allow(clippy::cast_precision_loss)]
    let exponent = ((n as f64).ln() / 1.05f64.ln()).ceil();
    // `as` saturates: ln(0) = -inf gives 1.05^-inf = 0, which the 541 floor replaces.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bucket = 1.05f64.powf(exponent).floor() as usize;
    let mut padded = bucket.max(MIN_PADDED_LEN);
    if padded > MAX_ATTACHMENT_SIZE && n <= MAX_ATTACHMENT_SIZE {
        padded = MAX_ATTACHMENT_SIZE;
    }
    padded.max(n)
}

/// Encrypts a 1:1 or group attachment: pads it with zeros to [`padded_len`], then encrypts with
/// fresh random keys and IV. Community attachments are uploaded unencrypted instead.
///
/// ```
/// use session_crypto::attachment;
/// let enc = attachment::encrypt(b"a photo")?;
/// assert_eq!(enc.size, 7);
/// let plain = attachment::decrypt(&enc.blob, &*enc.keys, &enc.digest, Some(enc.size))?;
/// assert_eq!(plain, b"a photo");
/// # Ok::<(), session_crypto::Error>(())
/// ```
pub fn encrypt(plaintext: &[u8]) -> Result<EncryptedAttachment> {
    let mut keys = Zeroizing::new([0u8; KEYS_LEN]);
    fill_random(&mut *keys)?;
    let iv = random_array::<IV_LEN>()?;
    let mut padded = Zeroizing::new(plaintext.to_vec());
    padded.resize(padded_len(plaintext.len()), 0);
    let (blob, digest) = encrypt_with(&padded, &keys, &iv);
    Ok(EncryptedAttachment {
        keys,
        blob,
        digest,
        size: plaintext.len(),
    })
}

/// Encrypts `data` as given (no attachment padding) with caller-chosen keys and IV; returns
/// the blob and its digest. For known-answer tests: a reused key and IV leak equal prefixes.
#[doc(hidden)]
pub fn encrypt_with(data: &[u8], keys: &[u8; KEYS_LEN], iv: &[u8; IV_LEN]) -> (Vec<u8>, [u8; 32]) {
    let (aes_key, mac_key) = split_keys(keys);
    let pad = BLOCK - data.len() % BLOCK;
    let mut blob = Vec::with_capacity(IV_LEN + data.len() + pad + MAC_LEN);
    blob.extend_from_slice(iv);
    blob.extend_from_slice(data);
    // PKCS#7: 1..=16 bytes, each the pad length.
    #[allow(clippy::cast_possible_truncation)]
    blob.resize(IV_LEN + data.len() + pad, pad as u8);
    // The PKCS#7 padding made the data a whole number of blocks.
    let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut blob[IV_LEN..]);
    cbc::Encryptor::<Aes256>::new(&(*aes_key).into(), &(*iv).into()).encrypt_blocks(blocks);
    let mac = hmac_sha256(mac_key, &blob);
    blob.extend_from_slice(&mac);
    let digest = Sha256::digest(&blob).into();
    (blob, digest)
}

/// Decrypts a legacy attachment blob with the pointer's `keys` (64 bytes) and `digest`
/// (32 bytes), then truncates it to `size` (the pointer's unpadded length) when shorter.
///
/// Errors, in the order checked: [`Error::InvalidLength`] for keys or digest of the wrong
/// length; [`Error::TooShort`] for a blob without room for IV, one block and MAC;
/// [`Error::DecryptionFailed`] for a MAC mismatch (`"attachment MAC"`), a digest mismatch
/// (`"attachment digest"`) or bad block framing or PKCS#7 padding (`"attachment"`).
pub fn decrypt(blob: &[u8], keys: &[u8], digest: &[u8], size: Option<usize>) -> Result<Vec<u8>> {
    let keys: &[u8; KEYS_LEN] = keys.try_into().map_err(|_| Error::InvalidLength {
        what: "attachment key",
        expected: KEYS_LEN,
        actual: keys.len(),
    })?;
    let digest: &[u8; 32] = digest.try_into().map_err(|_| Error::InvalidLength {
        what: "attachment digest",
        expected: 32,
        actual: digest.len(),
    })?;
    let minimum = IV_LEN + BLOCK + MAC_LEN;
    if blob.len() < minimum {
        return Err(Error::TooShort {
            what: "attachment",
            minimum,
            actual: blob.len(),
        });
    }
    let (aes_key, mac_key) = split_keys(keys);
    let (signed, mac) = blob.split_at(blob.len() - MAC_LEN);
    if !bool::from(hmac_sha256(mac_key, signed).ct_eq(mac)) {
        return Err(Error::DecryptionFailed {
            what: "attachment MAC",
        });
    }
    let actual: [u8; 32] = Sha256::digest(blob).into();
    if !bool::from(actual.ct_eq(digest)) {
        return Err(Error::DecryptionFailed {
            what: "attachment digest",
        });
    }
    let (iv, ciphertext) = signed.split_at(IV_LEN);
    if ciphertext.len() % BLOCK != 0 {
        return Err(Error::DecryptionFailed { what: "attachment" });
    }
    let iv: &[u8; IV_LEN] = iv
        .try_into()
        .map_err(|_| Error::DecryptionFailed { what: "attachment" })?;
    let mut plain = ciphertext.to_vec();
    let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut plain);
    cbc::Decryptor::<Aes256>::new(&(*aes_key).into(), &(*iv).into()).decrypt_blocks(blocks);
    let unpadded =
        pkcs7_unpadded_len(&plain).ok_or(Error::DecryptionFailed { what: "attachment" })?;
    plain.truncate(unpadded);
    if let Some(size) = size {
        // Anything after the pointer's size is attachment padding (Desktop getUnpaddedAttachment).
        plain.truncate(size);
    }
    Ok(plain)
}

/// Encrypts a profile picture with the 32-byte profile key: AES-256-GCM with a random IV,
/// `iv(12) ‖ ciphertext ‖ tag(16)`.
pub fn encrypt_profile_picture(profile_key: &[u8; 32], picture: &[u8]) -> Result<Vec<u8>> {
    encrypt_profile_picture_with_iv(profile_key, picture, &random_array::<GCM_IV_LEN>()?)
}

/// [`encrypt_profile_picture`] with a caller-chosen IV, for known-answer tests only (a reused
/// IV under the same key breaks GCM).
#[doc(hidden)]
pub fn encrypt_profile_picture_with_iv(
    profile_key: &[u8; 32],
    picture: &[u8],
    iv: &[u8; GCM_IV_LEN],
) -> Result<Vec<u8>> {
    let sealed = Aes256Gcm::new(&(*profile_key).into())
        .encrypt(&(*iv).into(), picture)
        .map_err(|_| Error::EncryptionFailed {
            what: "profile picture (too long)",
        })?;
    let mut out = Vec::with_capacity(GCM_IV_LEN + sealed.len());
    out.extend_from_slice(iv);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypts a profile picture blob with the profile key. Fails with [`Error::TooShort`] below
/// [`MIN_PROFILE_PICTURE_LEN`] bytes and [`Error::DecryptionFailed`] when the tag does not
/// verify.
pub fn decrypt_profile_picture(profile_key: &[u8; 32], blob: &[u8]) -> Result<Vec<u8>> {
    if blob.len() < MIN_PROFILE_PICTURE_LEN {
        return Err(Error::TooShort {
            what: "profile picture",
            minimum: MIN_PROFILE_PICTURE_LEN,
            actual: blob.len(),
        });
    }
    let (iv, sealed) = blob
        .split_first_chunk::<GCM_IV_LEN>()
        .ok_or(Error::TooShort {
            what: "profile picture",
            minimum: MIN_PROFILE_PICTURE_LEN,
            actual: blob.len(),
        })?;
    Aes256Gcm::new(&(*profile_key).into())
        .decrypt(&(*iv).into(), sealed)
        .map_err(|_| Error::DecryptionFailed {
            what: "profile picture",
        })
}

/// Splits the pointer key into the AES key and the MAC key.
fn split_keys(keys: &[u8; KEYS_LEN]) -> (&[u8; 32], &[u8; 32]) {
    // Invariant: a 64-byte array splits into two 32-byte halves.
    #[allow(clippy::expect_used)]
    let (aes_key, mac_key) = keys
        .split_first_chunk::<32>()
        .and_then(|(a, rest)| Some((a, rest.first_chunk::<32>()?)))
        .expect("64 bytes split into 32 + 32");
    (aes_key, mac_key)
}

/// HMAC-SHA256 of `data` under `key`.
fn hmac_sha256(key: &[u8; 32], data: &[u8]) -> [u8; 32] {
    // Invariant: HMAC accepts keys of any length.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(key)
        .expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The length of `data` without its PKCS#7 padding, or `None` if the padding is malformed.
fn pkcs7_unpadded_len(data: &[u8]) -> Option<usize> {
    let pad = usize::from(*data.last()?);
    if pad == 0 || pad > BLOCK || pad > data.len() {
        return None;
    }
    let start = data.len() - pad;
    data[start..]
        .iter()
        .all(|&b| usize::from(b) == pad)
        .then_some(start)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn padding_lengths_follow_the_desktop_buckets() {
        assert_eq!(padded_len(0), 541);
        assert_eq!(padded_len(1), 541);
        assert_eq!(padded_len(541), 541);
        assert_eq!(padded_len(542), 568);
        assert_eq!(padded_len(9_999_999), MAX_ATTACHMENT_SIZE);
        // Over the limit, the bucket is used as is and never shrinks the data.
        assert!(padded_len(10_000_001) >= 10_000_001);
        for n in [100, 5000, 123_456, 7_654_321] {
            assert!(padded_len(n) >= n);
        }
    }

    #[test]
    fn attachment_round_trip_and_size_truncation() {
        for len in [0usize, 1, 15, 16, 17, 600] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let enc = encrypt(&data).unwrap();
            assert_eq!(enc.blob.len() % BLOCK, 0);
            assert!(enc.blob.len() > padded_len(len) + IV_LEN);
            let plain = decrypt(&enc.blob, &*enc.keys, &enc.digest, Some(len)).unwrap();
            assert_eq!(plain, data);
            let padded = decrypt(&enc.blob, &*enc.keys, &enc.digest, None).unwrap();
            assert_eq!(padded.len(), padded_len(len));
        }
    }

    #[test]
    fn attachment_rejects_tampering_in_order() {
        let enc = encrypt(b"attachment").unwrap();
        let mut bad = enc.blob.clone();
        bad[20] ^= 1;
        assert_eq!(
            decrypt(&bad, &*enc.keys, &enc.digest, None),
            Err(Error::DecryptionFailed {
                what: "attachment MAC"
            })
        );
        let mut digest = enc.digest;
        digest[0] ^= 1;
        assert_eq!(
            decrypt(&enc.blob, &*enc.keys, &digest, None),
            Err(Error::DecryptionFailed {
                what: "attachment digest"
            })
        );
        assert!(matches!(
            decrypt(&enc.blob, &enc.keys[..63], &enc.digest, None),
            Err(Error::InvalidLength { .. })
        ));
        assert!(matches!(
            decrypt(&enc.blob, &*enc.keys, &[], None),
            Err(Error::InvalidLength { .. })
        ));
        assert!(matches!(
            decrypt(&enc.blob[..63], &*enc.keys, &enc.digest, None),
            Err(Error::TooShort { .. })
        ));
        assert!(!format!("{enc:?}").contains(&hex::encode(&enc.keys[..8])));
    }

    #[test]
    fn bad_pkcs7_padding_is_an_error_not_a_panic() {
        // A validly MACed blob whose plaintext padding is wrong: build it by hand.
        let keys = [3u8; KEYS_LEN];
        let iv = [4u8; IV_LEN];
        let (aes_key, mac_key) = split_keys(&keys);
        let mut blob = iv.to_vec();
        let mut block = [0u8; BLOCK]; // last byte 0: invalid PKCS#7
        cbc::Encryptor::<Aes256>::new(&(*aes_key).into(), &iv.into())
            .encrypt_block((&mut block).into());
        blob.extend_from_slice(&block);
        let mac = hmac_sha256(mac_key, &blob);
        blob.extend_from_slice(&mac);
        let digest: [u8; 32] = Sha256::digest(&blob).into();
        assert_eq!(
            decrypt(&blob, &keys, &digest, None),
            Err(Error::DecryptionFailed { what: "attachment" })
        );
        assert_eq!(pkcs7_unpadded_len(&[1, 2, 3, 3, 3]), Some(2));
        assert_eq!(pkcs7_unpadded_len(&[1, 2, 17]), None);
        assert_eq!(pkcs7_unpadded_len(&[2, 1, 2]), None);
        assert_eq!(pkcs7_unpadded_len(&[]), None);
    }

    #[test]
    fn profile_picture_round_trip_and_errors() {
        let key = [9u8; 32];
        let blob = encrypt_profile_picture(&key, b"png").unwrap();
        assert_eq!(blob.len(), 3 + GCM_IV_LEN + GCM_TAG_LEN);
        assert_eq!(decrypt_profile_picture(&key, &blob).unwrap(), b"png");
        let mut bad = blob.clone();
        bad[13] ^= 1;
        assert_eq!(
            decrypt_profile_picture(&key, &bad),
            Err(Error::DecryptionFailed {
                what: "profile picture"
            })
        );
        assert!(matches!(
            decrypt_profile_picture(&key, &blob[..28]),
            Err(Error::TooShort { .. })
        ));
    }
}
