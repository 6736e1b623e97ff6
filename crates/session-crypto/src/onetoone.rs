//! 1:1 messages: the "Session protocol" layer (spec/crypto.md §6.1–§6.2).
//!
//! The sender signs the padded content together with its own Ed25519 key and the recipient's
//! X25519 key, and seals `content ‖ sender_ed25519 ‖ signature` to the recipient:
//!
//! ```text
//! P     = pad(content)                                          (spec §5, crate::padding)
//! sig   = Ed25519(sender, P ‖ A_sender ‖ Y_recipient)
//! ct    = crypto_box_seal(P ‖ A_sender(32) ‖ sig(64), Y_recipient)      (crate::sealed_box)
//! ```
//!
//! The recipient opens the box, verifies the signature under the enclosed key, and learns the
//! sender's Session ID from that key. A message whose signature does not verify is an error,
//! never a message. Wrapping `ct` in an `Envelope` and a `WebSocketMessage` (spec §6.3) is the
//! job of `session-schema`; this module is the cryptographic layer only.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::{blake2b_keyed_256, sha512};
use crate::identity::Identity;
use crate::ids::SessionId;
use crate::keys::ed25519_to_x25519_public;
use crate::padding::{pad, unpad_lenient};
use crate::rng::random_array;
use crate::sealed_box::{SEAL_OVERHEAD, open_with, seal_with_ephemeral};
use crate::signature::verify_ed25519;

/// Bytes the signed inner layer adds to the padded content: the sender key (32) and the
/// signature (64).
const INNER_OVERHEAD: usize = 32 + 64;

/// The smallest valid 1:1 ciphertext: a sealed box around an empty padded content
/// (libsession's `decrypt_incoming` rule).
pub const MIN_CIPHERTEXT_LEN: usize = SEAL_OVERHEAD + INNER_OVERHEAD;

/// BLAKE2b key of libsession's deterministic ephemeral seed (`encrypt_for_recipient_deterministic`).
const DETERMINISTIC_EPHEMERAL_KEY: &[u8] = b"SessionBoxEphemeralHashKey";

/// A decrypted, verified 1:1 message.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptedMessage {
    /// The sender's Session ID, derived from the Ed25519 key that signed the message.
    pub sender: SessionId,
    /// The sender's Ed25519 public key (the key the signature verified under).
    pub sender_ed25519: [u8; 32],
    /// The content with its padding removed leniently (spec §5.2): a serialized `Content`
    /// protobuf for Session clients.
    pub content: Vec<u8>,
    /// The verified signature over `padded content ‖ sender_ed25519 ‖ recipient X25519 key`.
    pub signature: [u8; 64],
}

impl fmt::Debug for DecryptedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedMessage")
            .field("sender", &self.sender)
            .field("content_len", &self.content.len())
            .finish_non_exhaustive()
    }
}

/// Encrypts `content` from `sender` to `recipient`: pads it with the default rule
/// ([`crate::padding::PaddingRule::Libsession`]), signs and seals it with a fresh ephemeral key.
///
/// Fails with [`Error::WeakKeyExchange`] if the recipient's key is a low-order point and with
/// [`Error::Rng`] if the OS RNG fails.
///
/// ```
/// use session_crypto::{Identity, onetoone};
/// let alice = Identity::generate()?;
/// let bob = Identity::generate()?;
/// let ct = onetoone::encrypt(&alice, &bob.session_id(), b"content protobuf")?;
/// let msg = onetoone::decrypt(&bob, &ct)?;
/// assert_eq!(msg.sender, alice.session_id());
/// assert_eq!(msg.content, b"content protobuf");
/// # Ok::<(), session_crypto::Error>(())
/// ```
pub fn encrypt(sender: &Identity, recipient: &SessionId, content: &[u8]) -> Result<Vec<u8>> {
    let ephemeral = Zeroizing::new(random_array::<32>()?);
    encrypt_padded_with_ephemeral(sender, recipient, &pad(content), &ephemeral)
}

/// Encrypts already padded content with a caller-chosen ephemeral secret: for known-answer
/// tests only (a reused ephemeral key reuses the keystream).
#[doc(hidden)]
pub fn encrypt_padded_with_ephemeral(
    sender: &Identity,
    recipient: &SessionId,
    padded: &[u8],
    ephemeral_secret: &[u8; 32],
) -> Result<Vec<u8>> {
    let recipient_x = recipient.x25519_public_key();
    // Sign P ‖ A ‖ Y, then replace Y by the signature: the box carries P ‖ A ‖ sig.
    let mut inner = Zeroizing::new(Vec::with_capacity(padded.len() + INNER_OVERHEAD));
    inner.extend_from_slice(padded);
    inner.extend_from_slice(sender.ed25519_public_key());
    inner.extend_from_slice(recipient_x);
    let signature = sender.sign(&inner);
    inner.truncate(padded.len() + 32);
    inner.extend_from_slice(&signature);
    seal_with_ephemeral(&inner, recipient_x, ephemeral_secret)
}

/// libsession's `encrypt_for_recipient_deterministic`: the ephemeral key is derived from the
/// sender's seed, the recipient and the padded content, so equal inputs give equal
/// ciphertexts. Kept to reproduce libsession's published vector; it leaks message equality, so
/// [`encrypt`] never uses it.
#[doc(hidden)]
pub fn encrypt_padded_deterministic(
    sender: &Identity,
    recipient: &SessionId,
    padded: &[u8],
) -> Result<Vec<u8>> {
    let seed = Zeroizing::new(blake2b_keyed_256(
        DETERMINISTIC_EPHEMERAL_KEY,
        &[sender.ed25519_seed(), recipient.x25519_public_key(), padded],
    ));
    // crypto_box_seed_keypair: the secret key is the first half of SHA-512(seed).
    let hashed = Zeroizing::new(sha512(&[&*seed]));
    let mut ephemeral = Zeroizing::new([0u8; 32]);
    ephemeral.copy_from_slice(&hashed[..32]);
    encrypt_padded_with_ephemeral(sender, recipient, padded, &ephemeral)
}

/// Decrypts a 1:1 message addressed to `me` and verifies its sender (spec §6.2).
///
/// Errors: [`Error::TooShort`] below [`MIN_CIPHERTEXT_LEN`] bytes; [`Error::WeakKeyExchange`]
/// or [`Error::DecryptionFailed`] when the sealed box does not open (not for us, or
/// tampered); [`Error::BadSignature`] when the enclosed signature does not verify under the
/// enclosed key; [`Error::InvalidPoint`] when that key has no X25519 form.
pub fn decrypt(me: &Identity, ciphertext: &[u8]) -> Result<DecryptedMessage> {
    if ciphertext.len() < MIN_CIPHERTEXT_LEN {
        return Err(Error::TooShort {
            what: "1:1 message",
            minimum: MIN_CIPHERTEXT_LEN,
            actual: ciphertext.len(),
        });
    }
    let mut inner = Zeroizing::new(open_with(
        ciphertext,
        me.x25519_public_key(),
        me.x25519_secret(),
    )?);
    let padded_len = inner.len() - INNER_OVERHEAD;
    let (_, tail) = inner.split_at(padded_len);
    let (sender_key, signature) = tail.split_first_chunk::<32>().ok_or(Error::TooShort {
        what: "1:1 message",
        minimum: MIN_CIPHERTEXT_LEN,
        actual: ciphertext.len(),
    })?;
    let sender_ed25519 = *sender_key;
    let signature: [u8; 64] = signature.try_into().map_err(|_| Error::BadSignature)?;

    // The signed bytes are P ‖ A ‖ Y: reuse the buffer, replacing the signature by our key.
    inner.truncate(padded_len + 32);
    inner.extend_from_slice(me.x25519_public_key());
    verify_ed25519(&sender_ed25519, &inner, &signature)?;

    let sender = SessionId::from_x25519(ed25519_to_x25519_public(&sender_ed25519)?);
    let content = unpad_lenient(&inner[..padded_len]).to_vec();
    Ok(DecryptedMessage {
        sender,
        sender_ed25519,
        content,
        signature,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn pair() -> (Identity, Identity) {
        (
            Identity::from_seed(&[1; 16]).unwrap(),
            Identity::from_seed(&[2; 16]).unwrap(),
        )
    }

    #[test]
    fn round_trip_names_the_sender() {
        let (alice, bob) = pair();
        for content in [&b""[..], b"x", &[0x80; 200]] {
            let ct = encrypt(&alice, &bob.session_id(), content).unwrap();
            let msg = decrypt(&bob, &ct).unwrap();
            assert_eq!(msg.sender, alice.session_id());
            assert_eq!(&msg.sender_ed25519, alice.ed25519_public_key());
            assert_eq!(msg.content, content);
        }
    }

    #[test]
    fn rejects_a_forged_signature_and_the_wrong_recipient() {
        let (alice, bob) = pair();
        let eve = Identity::from_seed(&[3; 16]).unwrap();
        // Eve claims to be Alice: she encloses Alice's key but can only sign with her own.
        let mut inner = pad(b"hi");
        inner.extend_from_slice(alice.ed25519_public_key());
        let mut signed = inner.clone();
        signed.extend_from_slice(bob.x25519_public_key());
        inner.extend_from_slice(&eve.sign(&signed));
        let forged = crate::sealed_box::seal(&inner, bob.x25519_public_key()).unwrap();
        assert_eq!(decrypt(&bob, &forged), Err(Error::BadSignature));

        let ct = encrypt(&alice, &bob.session_id(), b"hi").unwrap();
        assert_eq!(
            decrypt(&eve, &ct),
            Err(Error::DecryptionFailed { what: "sealed box" })
        );
        assert!(matches!(
            decrypt(&bob, &ct[..MIN_CIPHERTEXT_LEN - 1]),
            Err(Error::TooShort { .. })
        ));
    }

    #[test]
    fn a_message_signed_for_another_recipient_is_rejected() {
        // Alice signed for Carol; Bob re-seals the inner layer to himself: the signature
        // covers Carol's key, so Bob must not accept it as a message to him.
        let (alice, bob) = pair();
        let carol = Identity::from_seed(&[4; 16]).unwrap();
        let ct = encrypt(&alice, &carol.session_id(), b"for carol").unwrap();
        let inner = open_with(&ct, carol.x25519_public_key(), carol.x25519_secret()).unwrap();
        let resealed = crate::sealed_box::seal(&inner, bob.x25519_public_key()).unwrap();
        assert_eq!(decrypt(&bob, &resealed), Err(Error::BadSignature));
    }

    #[test]
    fn deterministic_variant_is_deterministic_and_decrypts() {
        let (alice, bob) = pair();
        let padded = pad(b"det");
        let a = encrypt_padded_deterministic(&alice, &bob.session_id(), &padded).unwrap();
        let b = encrypt_padded_deterministic(&alice, &bob.session_id(), &padded).unwrap();
        assert_eq!(a, b);
        assert_eq!(decrypt(&bob, &a).unwrap().content, b"det");
    }
}
