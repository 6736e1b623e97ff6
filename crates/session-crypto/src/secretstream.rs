//! libsodium's `crypto_secretstream_xchacha20poly1305`, the chunked AEAD under Session's
//! deterministic attachment encryption ([`crate::attachment::deterministic`]).
//!
//! Facts of the construction (libsodium documentation and its published format; checked
//! byte for byte against libsodium by `tests/differential.rs`):
//!
//! - State: a ChaCha20 key `k` and a 12-byte IETF nonce `counter(4, LE) ‖ inonce(8)`.
//!   Initialisation from a 32-byte key and a 24-byte header: `k = HChaCha20(key, header[..16])`,
//!   `counter = 1`, `inonce = header[16..]` (the same for pushing and pulling).
//! - A message chunk is `E(tag) ‖ E(message) ‖ mac` (17 bytes of overhead): block 0 of the
//!   ChaCha20 keystream is the Poly1305 key; the tag byte is the first byte of a 64-byte block
//!   encrypted with keystream block 1; the message is encrypted from block 2 on.
//! - The MAC covers `ad ‖ pad16(ad) ‖ block(64) ‖ c ‖ pad ‖ le64(len(ad)) ‖ le64(64 + len(c))`,
//!   where `pad` is `(0x10 − 64 + len(c)) mod 16` zero bytes, exactly as libsodium writes it.
//! - After each chunk: `inonce ^= mac[..8]`, `counter += 1`; a `REKEY` tag (or a wrapped
//!   counter) rekeys with `k ‖ inonce ← ChaCha20(k, nonce) ⊕ (k ‖ inonce)` and `counter = 1`.

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

/// Length of the stream header.
pub(crate) const HEADER_LEN: usize = 24;
/// Bytes a chunk adds to its message: the encrypted tag byte and the 16-byte MAC.
pub(crate) const ABYTES: usize = 17;
/// An ordinary chunk.
pub(crate) const TAG_MESSAGE: u8 = 0;
/// Forces a rekey after the chunk.
pub(crate) const TAG_REKEY: u8 = 2;
/// The last chunk of a stream (`PUSH | REKEY`).
pub(crate) const TAG_FINAL: u8 = 3;

/// Length of a ChaCha20 block.
const BLOCK: usize = 64;

/// The state of one direction of a stream.
pub(crate) struct SecretStream {
    key: Zeroizing<[u8; 32]>,
    /// `counter(4, LE) ‖ inonce(8)`.
    nonce: Zeroizing<[u8; 12]>,
}

impl SecretStream {
    /// The state after `init_push` / `init_pull` with this key and header.
    pub(crate) fn new(key: &[u8; 32], header: &[u8; HEADER_LEN]) -> Self {
        let (hchacha_input, inonce) = header.split_at(16);
        let mut input = [0u8; 16];
        input.copy_from_slice(hchacha_input);
        let mut sub = chacha20::hchacha::<chacha20::R20>(&(*key).into(), &input.into());
        let state_key = Zeroizing::new(sub.into());
        sub.zeroize();
        let mut nonce = Zeroizing::new([0u8; 12]);
        nonce[0] = 1;
        nonce[4..].copy_from_slice(inonce);
        Self {
            key: state_key,
            nonce,
        }
    }

    /// The ChaCha20-IETF cipher of the current state, positioned at keystream block `block`.
    fn cipher_at(&self, block: u64) -> ChaCha20 {
        let mut cipher = ChaCha20::new(&(*self.key).into(), &(*self.nonce).into());
        cipher.seek(block * BLOCK as u64);
        cipher
    }

    /// The Poly1305 tag of a chunk whose (encrypted) tag block is `tag_block` and whose
    /// ciphertext is `c` (no additional data).
    fn mac(&self, tag_block: &[u8; BLOCK], c: &[u8]) -> [u8; 16] {
        let mut poly_key = Zeroizing::new([0u8; 32]);
        self.cipher_at(0).apply_keystream(&mut *poly_key);
        // libsodium's padding after the ciphertext: (0x10 - 64 + mlen) & 0xf zero bytes.
        let pad = (0x10usize.wrapping_sub(BLOCK).wrapping_add(c.len())) & 0xf;
        let mut data = Vec::with_capacity(BLOCK + c.len() + pad + 16);
        data.extend_from_slice(tag_block);
        data.extend_from_slice(c);
        data.resize(BLOCK + c.len() + pad, 0);
        data.extend_from_slice(&0u64.to_le_bytes());
        data.extend_from_slice(&((BLOCK + c.len()) as u64).to_le_bytes());
        Poly1305::new(&(*poly_key).into())
            .compute_unpadded(&data)
            .into()
    }

    /// Advances the state after a chunk with `mac` and `tag`.
    fn advance(&mut self, mac: &[u8; 16], tag: u8) {
        for (n, m) in self.nonce[4..].iter_mut().zip(mac) {
            *n ^= m;
        }
        let counter =
            u32::from_le_bytes([self.nonce[0], self.nonce[1], self.nonce[2], self.nonce[3]])
                .wrapping_add(1);
        self.nonce[..4].copy_from_slice(&counter.to_le_bytes());
        if tag & TAG_REKEY != 0 || counter == 0 {
            self.rekey();
        }
    }

    /// `crypto_secretstream_xchacha20poly1305_rekey`.
    fn rekey(&mut self) {
        let mut material = Zeroizing::new([0u8; 40]);
        material[..32].copy_from_slice(&*self.key);
        material[32..].copy_from_slice(&self.nonce[4..]);
        self.cipher_at(0).apply_keystream(&mut *material);
        self.key.copy_from_slice(&material[..32]);
        self.nonce[4..].copy_from_slice(&material[32..]);
        self.nonce[..4].copy_from_slice(&1u32.to_le_bytes());
    }

    /// Encrypts one chunk with `tag`, appending `ABYTES + message.len()` bytes to `out`.
    pub(crate) fn push(&mut self, message: &[u8], tag: u8, out: &mut Vec<u8>) {
        let mut tag_block = [0u8; BLOCK];
        tag_block[0] = tag;
        self.cipher_at(1).apply_keystream(&mut tag_block);
        let start = out.len();
        out.push(tag_block[0]);
        out.extend_from_slice(message);
        let c = out.get_mut(start + 1..).unwrap_or_default();
        self.cipher_at(2).apply_keystream(c);
        let mac = self.mac(&tag_block, c);
        out.extend_from_slice(&mac);
        self.advance(&mac, tag);
    }

    /// Authenticates and decrypts one chunk (`tag ‖ c ‖ mac`), appending the message to `out`;
    /// returns its tag. Nothing is appended when the MAC does not verify.
    pub(crate) fn pull(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<u8> {
        let failed = Error::DecryptionFailed {
            what: "attachment stream",
        };
        let (&encrypted_tag, rest) = chunk.split_first().ok_or(failed.clone())?;
        let (c, mac) = rest.split_last_chunk::<16>().ok_or(failed.clone())?;
        let mut tag_block = [0u8; BLOCK];
        tag_block[0] = encrypted_tag;
        self.cipher_at(1).apply_keystream(&mut tag_block);
        let tag = tag_block[0];
        tag_block[0] = encrypted_tag;
        let expected = self.mac(&tag_block, c);
        if !bool::from(expected.ct_eq(mac)) {
            return Err(failed);
        }
        let start = out.len();
        out.extend_from_slice(c);
        if let Some(m) = out.get_mut(start..) {
            self.cipher_at(2).apply_keystream(m);
        }
        self.advance(mac, tag);
        Ok(tag)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn push_then_pull_round_trips_with_rekeys() {
        let (key, header) = ([7u8; 32], [9u8; HEADER_LEN]);
        let mut tx = SecretStream::new(&key, &header);
        let mut wire = Vec::new();
        let msgs: [(&[u8], u8); 4] = [
            (b"first", TAG_MESSAGE),
            (b"", TAG_REKEY),
            (&[0x55; 100], TAG_MESSAGE),
            (b"last", TAG_FINAL),
        ];
        let mut bounds = Vec::new();
        for (m, tag) in msgs {
            let start = wire.len();
            tx.push(m, tag, &mut wire);
            bounds.push(start..wire.len());
        }
        let mut rx = SecretStream::new(&key, &header);
        for ((m, tag), range) in msgs.iter().zip(bounds) {
            let mut out = Vec::new();
            assert_eq!(rx.pull(&wire[range], &mut out).unwrap(), *tag);
            assert_eq!(out, *m);
        }
    }

    #[test]
    fn pull_rejects_tampering_and_reordering() {
        let (key, header) = ([1u8; 32], [2u8; HEADER_LEN]);
        let mut tx = SecretStream::new(&key, &header);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        tx.push(b"one", TAG_MESSAGE, &mut a);
        tx.push(b"two", TAG_FINAL, &mut b);
        let mut out = Vec::new();
        // Out of order.
        assert!(SecretStream::new(&key, &header).pull(&b, &mut out).is_err());
        // Any flipped bit.
        for i in 0..a.len() {
            let mut bad = a.clone();
            bad[i] ^= 4;
            assert!(
                SecretStream::new(&key, &header)
                    .pull(&bad, &mut out)
                    .is_err()
            );
        }
        assert!(out.is_empty(), "nothing is released from a failed chunk");
        assert!(
            SecretStream::new(&key, &header)
                .pull(&a[..16], &mut out)
                .is_err()
        );
    }
}
