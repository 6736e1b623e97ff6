//! Blinded direct messages through a community server (`POST /inbox/<id>`, `GET /inbox`,
//! `GET /outbox`; spec/crypto.md §7).
//!
//! Two users who only know each other's blinded ids on a server derive a shared key by
//! Diffie-Hellman on the blinded keys, and encrypt with XChaCha20-Poly1305:
//!
//! ```text
//! blind15:  shared = a·kB (sender) = b·kA (recipient)       a, b unblinded scalars
//! blind25:  shared = ka25·kB25 = kb25·kA25                  blinded scalars
//! key      = BLAKE2b-256(shared ‖ kA_sender ‖ kB_recipient)  (always sender first)
//! data     = 0x00 ‖ XChaCha20-Poly1305(key, nonce, message ‖ A_sender) ‖ nonce(24)
//! ```
//!
//! `A_sender` is the sender's **unblinded** Ed25519 key: the recipient checks that it blinds to
//! the sender's blinded id (otherwise anyone could claim any sender) and learns the sender's
//! Session ID from it. The server's `message` field is `base64(data)`; encoding it is the
//! caller's job.
//!
//! Direction matters only for which scalar we hold: [`decrypt_inbox`] when we are the
//! recipient, [`decrypt_outbox`] for messages we sent (the server's `/outbox`).

use std::fmt;

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use curve25519_dalek::Scalar;
use zeroize::Zeroizing;

use crate::blinding::{BlindedKeypair, blind15_public_of, blind25_public_of};
use crate::error::{Error, Result};
use crate::hash::blake2b_256;
use crate::identity::Identity;
use crate::ids::{BlindedId, BlindingScheme, ServerPubkey, SessionId};
use crate::keys::{ed25519_to_x25519_public, mul_noclamp, valid_point};
use crate::padding::{pad, unpad_lenient};
use crate::rng::random_array;

/// The format version this crate reads and writes (the first byte of the data).
pub const VERSION: u8 = 0x00;

/// Length of the XChaCha20 nonce, which ends the data.
const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag.
const TAG_LEN: usize = 16;

/// The smallest valid data: version, tag, nonce and the sender key of an empty message.
pub const MIN_DATA_LEN: usize = 1 + TAG_LEN + NONCE_LEN + 32;

/// A decrypted blinded DM whose sender has been checked against its blinded id.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptedDm {
    /// The sender's Session ID, from the enclosed Ed25519 key.
    pub sender: SessionId,
    /// The sender's unblinded Ed25519 key, which blinds to the sender's blinded id.
    pub sender_ed25519: [u8; 32],
    /// The message with any padding removed leniently (spec §5.2): current clients pad the
    /// `Content` protobuf, older senders (and pysogs' tests) do not.
    pub content: Vec<u8>,
}

impl fmt::Debug for DecryptedDm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedDm")
            .field("sender", &self.sender)
            .field("content_len", &self.content.len())
            .finish_non_exhaustive()
    }
}

/// Encrypts `content` from `sender` to the blinded id `recipient` on `server`: pads it with the
/// default rule (as current libsession clients do) and encrypts with a fresh random nonce.
///
/// The scheme (15 or 25) is the recipient's; the sender uses its own id of the same scheme.
/// Returns the data for the `message` field (base64-encode it). Fails with
/// [`Error::InvalidPoint`] if the recipient's key is not a valid point.
///
/// ```
/// use session_crypto::{Identity, ServerPubkey, blinded_dm};
/// let server: ServerPubkey = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238".parse()?;
/// let (alice, bob) = (Identity::generate()?, Identity::generate()?);
/// let (a15, b15) = (alice.blind15(&server).id(), bob.blind15(&server).id());
/// let data = blinded_dm::encrypt(&alice, &server, &b15, b"hello")?;
/// let dm = blinded_dm::decrypt_inbox(&bob, &server, &a15, &data)?;
/// assert_eq!((dm.sender, dm.content.as_slice()), (alice.session_id(), &b"hello"[..]));
/// let mine = blinded_dm::decrypt_outbox(&alice, &server, &b15, &data)?;
/// assert_eq!(mine.content, b"hello");
/// # Ok::<(), session_crypto::Error>(())
/// ```
pub fn encrypt(
    sender: &Identity,
    server: &ServerPubkey,
    recipient: &BlindedId,
    content: &[u8],
) -> Result<Vec<u8>> {
    let nonce = random_array::<NONCE_LEN>()?;
    encrypt_unpadded_with_nonce(sender, server, recipient, &pad(content), &nonce)
}

/// Encrypts `message` exactly as given (no padding) with a caller-chosen nonce: for
/// known-answer tests only, since a reused nonce under the same key breaks the cipher.
#[doc(hidden)]
pub fn encrypt_unpadded_with_nonce(
    sender: &Identity,
    server: &ServerPubkey,
    recipient: &BlindedId,
    message: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<Vec<u8>> {
    let ours = keypair(sender, server, recipient.scheme());
    let shared = shared_secret(sender, &ours, recipient.public_key())?;
    let key = message_key(&shared, ours.public_key(), recipient.public_key());

    let mut inner = Zeroizing::new(Vec::with_capacity(message.len() + 32));
    inner.extend_from_slice(message);
    inner.extend_from_slice(sender.ed25519_public_key());
    let ciphertext = XChaCha20Poly1305::new(&(*key).into())
        .encrypt(&(*nonce).into(), inner.as_slice())
        .map_err(|_| Error::EncryptionFailed {
            what: "blinded DM (message too long)",
        })?;

    let mut data = Vec::with_capacity(1 + ciphertext.len() + NONCE_LEN);
    data.push(VERSION);
    data.extend_from_slice(&ciphertext);
    data.extend_from_slice(nonce);
    Ok(data)
}

/// Decrypts a message from our inbox on `server`: `sender` is the item's blinded sender id and
/// we are the recipient (with our id of the sender's scheme).
///
/// Errors: [`Error::TooShort`] below [`MIN_DATA_LEN`]; [`Error::UnsupportedVersion`] when the
/// first byte is not [`VERSION`]; [`Error::DecryptionFailed`] when the tag does not verify;
/// [`Error::SenderMismatch`] when the enclosed key does not blind to `sender`;
/// [`Error::InvalidPoint`] for keys that are not valid points.
pub fn decrypt_inbox(
    me: &Identity,
    server: &ServerPubkey,
    sender: &BlindedId,
    data: &[u8],
) -> Result<DecryptedDm> {
    let ours = keypair(me, server, sender.scheme());
    let shared = shared_secret(me, &ours, sender.public_key())?;
    let key = message_key(&shared, sender.public_key(), ours.public_key());
    open(&key, server, sender, data)
}

/// Decrypts a message we sent, from our outbox on `server`: `recipient` is the item's blinded
/// recipient id and we are the sender. Errors as for [`decrypt_inbox`].
pub fn decrypt_outbox(
    me: &Identity,
    server: &ServerPubkey,
    recipient: &BlindedId,
    data: &[u8],
) -> Result<DecryptedDm> {
    let ours = keypair(me, server, recipient.scheme());
    let shared = shared_secret(me, &ours, recipient.public_key())?;
    let key = message_key(&shared, ours.public_key(), recipient.public_key());
    open(&key, server, &ours.id(), data)
}

/// Our blinded keypair of `scheme` on `server`.
fn keypair(me: &Identity, server: &ServerPubkey, scheme: BlindingScheme) -> BlindedKeypair {
    match scheme {
        BlindingScheme::Blind15 => me.blind15(server),
        BlindingScheme::Blind25 => me.blind25(server),
    }
}

/// The Diffie-Hellman point between us and a peer's blinded key (spec §7.1): blind15 uses our
/// *unblinded* scalar (the common factor `k` is already in the peer's key), blind25 our blinded
/// scalar (the factors differ per user).
fn shared_secret(
    me: &Identity,
    ours: &BlindedKeypair,
    peer: &[u8; 32],
) -> Result<Zeroizing<[u8; 32]>> {
    let peer_point = valid_point(peer, "blinded public key")?;
    let unblinded;
    let scalar: &Scalar = match ours.scheme() {
        BlindingScheme::Blind15 => {
            unblinded = me.secret_scalar();
            &unblinded
        }
        BlindingScheme::Blind25 => ours.secret_scalar(),
    };
    let point = mul_noclamp(scalar, &peer_point, "blinded public key")?;
    Ok(Zeroizing::new(point.compress().to_bytes()))
}

/// `BLAKE2b-256(shared ‖ sender ‖ recipient)`: the XChaCha20-Poly1305 key.
fn message_key(shared: &[u8; 32], sender: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(blake2b_256(&[shared, sender, recipient]))
}

/// Checks the framing, decrypts, and binds the enclosed key to `sender`.
fn open(
    key: &[u8; 32],
    server: &ServerPubkey,
    sender: &BlindedId,
    data: &[u8],
) -> Result<DecryptedDm> {
    if data.len() < MIN_DATA_LEN {
        return Err(Error::TooShort {
            what: "blinded DM",
            minimum: MIN_DATA_LEN,
            actual: data.len(),
        });
    }
    let (&version, rest) = data.split_first().ok_or(Error::TooShort {
        what: "blinded DM",
        minimum: MIN_DATA_LEN,
        actual: data.len(),
    })?;
    if version != VERSION {
        return Err(Error::UnsupportedVersion {
            what: "blinded DM",
            version,
        });
    }
    let (ciphertext, nonce) = rest
        .split_last_chunk::<NONCE_LEN>()
        .ok_or(Error::TooShort {
            what: "blinded DM",
            minimum: MIN_DATA_LEN,
            actual: data.len(),
        })?;
    let inner = Zeroizing::new(
        XChaCha20Poly1305::new(&(*key).into())
            .decrypt(&(*nonce).into(), ciphertext)
            .map_err(|_| Error::DecryptionFailed { what: "blinded DM" })?,
    );
    let (message, sender_key) = inner.split_last_chunk::<32>().ok_or(Error::TooShort {
        what: "blinded DM",
        minimum: MIN_DATA_LEN,
        actual: data.len(),
    })?;

    // Bind the sender (spec §7.3 step 5): the enclosed key must blind to the claimed id. For
    // blind15 the comparison is exact (Session Desktop's rule), with the key's real sign.
    let blinded = match sender.scheme() {
        BlindingScheme::Blind15 => blind15_public_of(sender_key, server),
        BlindingScheme::Blind25 => blind25_public_of(sender_key, server),
    }
    .map_err(|_| Error::SenderMismatch)?;
    if blinded != *sender.public_key() {
        return Err(Error::SenderMismatch);
    }
    Ok(DecryptedDm {
        sender: SessionId::from_x25519(ed25519_to_x25519_public(sender_key)?),
        sender_ed25519: *sender_key,
        content: unpad_lenient(message).to_vec(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

    fn setup() -> (Identity, Identity, ServerPubkey) {
        (
            Identity::from_seed(&[5; 16]).unwrap(),
            Identity::from_seed(&[6; 16]).unwrap(),
            SERVER.parse().unwrap(),
        )
    }

    #[test]
    fn both_schemes_round_trip_in_both_directions() {
        let (alice, bob, server) = setup();
        for (a, b) in [
            (alice.blind15(&server).id(), bob.blind15(&server).id()),
            (alice.blind25(&server).id(), bob.blind25(&server).id()),
        ] {
            let data = encrypt(&alice, &server, &b, b"secret").unwrap();
            assert_eq!(data[0], VERSION);
            let dm = decrypt_inbox(&bob, &server, &a, &data).unwrap();
            assert_eq!(dm.sender, alice.session_id());
            assert_eq!(&dm.sender_ed25519, alice.ed25519_public_key());
            assert_eq!(dm.content, b"secret");
            let out = decrypt_outbox(&alice, &server, &b, &data).unwrap();
            assert_eq!(out, dm);
        }
    }

    #[test]
    fn rejects_a_sender_that_does_not_match_the_enclosed_key() {
        // Eve encrypts to Bob correctly but encloses Alice's key to impersonate her.
        let (alice, bob, server) = setup();
        let eve = Identity::from_seed(&[7; 16]).unwrap();
        let bob15 = bob.blind15(&server).id();
        let eve_kp = eve.blind15(&server);
        let shared = shared_secret(&eve, &eve_kp, bob15.public_key()).unwrap();
        let key = message_key(&shared, eve_kp.public_key(), bob15.public_key());
        let mut inner = b"I am Alice".to_vec();
        inner.extend_from_slice(alice.ed25519_public_key());
        let nonce = [9u8; NONCE_LEN];
        let mut data = vec![VERSION];
        data.extend(
            XChaCha20Poly1305::new(&(*key).into())
                .encrypt(&nonce.into(), inner.as_slice())
                .unwrap(),
        );
        data.extend_from_slice(&nonce);
        assert_eq!(
            decrypt_inbox(&bob, &server, &eve_kp.id(), &data),
            Err(Error::SenderMismatch)
        );
    }

    #[test]
    fn rejects_bad_framing_and_tampering() {
        let (alice, bob, server) = setup();
        let a15 = alice.blind15(&server).id();
        let data = encrypt(&alice, &server, &bob.blind15(&server).id(), b"m").unwrap();
        let mut bad = data.clone();
        bad[0] = 1;
        assert_eq!(
            decrypt_inbox(&bob, &server, &a15, &bad),
            Err(Error::UnsupportedVersion {
                what: "blinded DM",
                version: 1
            })
        );
        for i in 1..data.len() {
            let mut bad = data.clone();
            bad[i] ^= 0x40;
            assert_eq!(
                decrypt_inbox(&bob, &server, &a15, &bad),
                Err(Error::DecryptionFailed { what: "blinded DM" }),
                "byte {i}"
            );
        }
        assert!(matches!(
            decrypt_inbox(&bob, &server, &a15, &data[..MIN_DATA_LEN - 1]),
            Err(Error::TooShort { .. })
        ));
        // Someone else's inbox: the key differs, so the tag fails.
        let carol = Identity::from_seed(&[8; 16]).unwrap();
        assert!(decrypt_inbox(&carol, &server, &a15, &data).is_err());
    }
}
