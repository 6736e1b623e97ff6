//! Community (SOGS) message data: encode and sign, decode and verify (spec/crypto.md §4,
//! spec/sogs-api.md §1.6 and §2.12).
//!
//! A post carries two base64 strings: `data = base64(pad(Content))` and
//! `signature = base64(sig over the padded bytes)`. Servers never check the signature, so every
//! reader must: [`decode_sogs_message`] always verifies and reports the result in
//! [`SogsMessage::is_verified`]; a message whose signature fails is never reported as verified.
//!
//! Which key signs (and verifies):
//! - `15…` / `25…` senders: the blinded key `kA` of the id, a standard Ed25519 signature
//!   (made by [`BlindedKeypair::sign`]).
//! - `05…` senders (servers that do not require blinding): an XEd25519 signature made with the
//!   X25519 key. A reader knows only the X25519 key `X`, which maps to **two** Ed25519 keys,
//!   `±A`, differing in the sign bit. The rule (curve25519-js, spec/crypto.md §4.3): the signer
//!   stores the sign bit of its `A` in bit 255 of `S`; the verifier takes `A = xed(X)` with that
//!   sign bit, clears the bit in `S`, and verifies. libsession's XEd25519 signatures always use
//!   sign 0, so both kinds verify; we sign in the XEd25519 form so every verifier accepts ours.
//!
//! Padding: produced with libsession's rule (the smallest multiple of 160 above `n + 1`);
//! removed strictly (trailing zeros, then one `0x80`), which accepts both rules in use.

use std::fmt;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use session_crypto::padding::{PaddingRule, pad_with, unpad};
use session_crypto::{
    AccountId, BlindedKeypair, Identity, ServerPubkey, SessionId, SigningMode, sign_xed25519,
};
use zeroize::Zeroizing;

use crate::content::Content;
use crate::error::{Error, Result};
use crate::verify::verify_post;

/// Standard-alphabet base64 that accepts input with or without `=` padding (servers and
/// clients differ; the bytes are what matter).
pub(crate) const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 `s`, naming `field` in the error.
pub(crate) fn decode_base64(s: &str, field: &'static str) -> Result<Vec<u8>> {
    BASE64_LENIENT
        .decode(s.trim())
        .map_err(|_| Error::InvalidBase64 { field })
}

/// Reads a 64-byte signature.
pub(crate) fn signature_array(sig: &[u8]) -> Result<[u8; 64]> {
    sig.try_into()
        .map_err(|_| Error::InvalidSignatureLength { actual: sig.len() })
}

/// The `data` and `signature` of a community post, both standard base64 with padding — the
/// two fields of `POST /room/<token>/message` and of every message the server returns.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SogsMessageData {
    /// `base64(pad(Content))`.
    pub data: String,
    /// `base64(signature over the padded bytes)`, 64 bytes.
    pub signature: String,
}

/// Signs community posts for one identity on one server, caching the (blinded) key so that
/// each message costs one signature.
///
/// ```
/// use session_crypto::{Identity, ServerPubkey, SigningMode};
/// use session_schema::{SogsSigner, VisibleMessage, decode_sogs_message};
/// let id = Identity::from_seed(&[7; 16])?;
/// let server: ServerPubkey = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238".parse()?;
/// let signer = SogsSigner::new(&id, SigningMode::Blind15, &server);
/// let post = signer.encode(&VisibleMessage::text("hi").into_content())?;
/// let read = decode_sogs_message(&post.data, &post.signature, &signer.sender(), &server)?;
/// assert!(read.is_verified());
/// assert_eq!(read.content().text(), Some("hi"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SogsSigner {
    key: SignerKey,
    sender: AccountId,
    padding: PaddingRule,
}

#[derive(Clone)]
enum SignerKey {
    Blinded(BlindedKeypair),
    /// The X25519 secret scalar bytes (clamped when used).
    Unblinded(Zeroizing<[u8; 32]>),
}

impl SogsSigner {
    /// A signer for `identity` posting to the server with key `server`, with the key of `mode`:
    /// [`SigningMode::Blind15`] (what current servers expect), [`SigningMode::Blind25`], or
    /// [`SigningMode::Unblinded`] (the `05` id; only for servers that do not require blinding).
    pub fn new(identity: &Identity, mode: SigningMode, server: &ServerPubkey) -> Self {
        match mode {
            SigningMode::Blind25 => Self::blinded(identity.blind25(server)),
            SigningMode::Unblinded => Self {
                key: SignerKey::Unblinded(Zeroizing::new(
                    *identity.x25519_keypair().secret_bytes(),
                )),
                sender: identity.session_id().into(),
                padding: PaddingRule::default(),
            },
            SigningMode::Blind15 => Self::blinded(identity.blind15(server)),
        }
    }

    /// A signer with a blinded keypair chosen by the caller, e.g. one made with
    /// [`Identity::blind15_with_nonce`] to pick the blind15 nonce variant.
    pub fn blinded(keypair: BlindedKeypair) -> Self {
        let sender = keypair.id().into();
        Self {
            key: SignerKey::Blinded(keypair),
            sender,
            padding: PaddingRule::default(),
        }
    }

    /// Uses padding `rule` instead of the default ([`PaddingRule::Libsession`], what current
    /// clients send). Both rules decode everywhere; [`PaddingRule::LegacyJs`] reproduces posts
    /// of Session.js and older desktop clients byte for byte.
    #[must_use]
    pub fn padding(mut self, rule: PaddingRule) -> Self {
        self.padding = rule;
        self
    }

    /// The id the server shows as the poster, and that readers verify against.
    pub const fn sender(&self) -> AccountId {
        self.sender
    }

    /// Pads, signs and base64-encodes `content`.
    ///
    /// Blinded signatures are deterministic; unblinded (XEd25519) ones take 64 fresh random
    /// bytes, which is the only way this can fail ([`session_crypto::Error::Rng`]).
    pub fn encode(&self, content: &Content) -> Result<SogsMessageData> {
        let mut random = Zeroizing::new([0u8; 64]);
        if matches!(self.key, SignerKey::Unblinded(_)) {
            getrandom::fill(&mut random[..]).map_err(|_| session_crypto::Error::Rng)?;
        }
        Ok(self.encode_with_random(content, &random))
    }

    /// [`encode`](Self::encode) with the XEd25519 randomness given (ignored for blinded keys).
    pub(crate) fn encode_with_random(
        &self,
        content: &Content,
        random: &[u8; 64],
    ) -> SogsMessageData {
        let padded = pad_with(content.as_bytes(), self.padding);
        let signature = match &self.key {
            SignerKey::Blinded(kp) => kp.sign(&padded),
            SignerKey::Unblinded(secret) => sign_xed25519(secret, &padded, random),
        };
        SogsMessageData {
            data: STANDARD.encode(&padded),
            signature: STANDARD.encode(signature),
        }
    }
}

impl fmt::Debug for SogsSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SogsSigner")
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

/// Pads, signs and base64-encodes `content` as `identity` would post it to `server` with the
/// key of `mode` (spec/crypto.md §4). For many posts, keep a [`SogsSigner`] instead: it derives
/// the blinded key once.
pub fn encode_sogs_message(
    content: &Content,
    identity: &Identity,
    mode: SigningMode,
    server: &ServerPubkey,
) -> Result<SogsMessageData> {
    SogsSigner::new(identity, mode, server).encode(content)
}

/// A community message read back: its content, who the server says posted it, and whether the
/// signature verified.
#[derive(Clone, Debug, PartialEq)]
pub struct SogsMessage {
    content: Content,
    sender: AccountId,
    server: ServerPubkey,
    verified: bool,
}

impl SogsMessage {
    pub(crate) const fn new(
        content: Content,
        sender: AccountId,
        server: ServerPubkey,
        verified: bool,
    ) -> Self {
        Self {
            content,
            sender,
            server,
            verified,
        }
    }

    /// Whether the signature verified under the sender's key. When `false`, the content is
    /// whatever the server returned and must not be shown as coming from the sender.
    pub const fn is_verified(&self) -> bool {
        self.verified
    }

    /// The content, verified or not: check [`is_verified`](Self::is_verified).
    pub const fn content(&self) -> &Content {
        &self.content
    }

    /// The poster's id as the server reported it.
    pub const fn sender(&self) -> &AccountId {
        &self.sender
    }

    /// The server the message was read from.
    pub const fn server(&self) -> &ServerPubkey {
        &self.server
    }

    /// The content if the signature verified; [`Error::BadSignature`] otherwise.
    pub fn into_verified(self) -> Result<Content> {
        if self.verified {
            Ok(self.content)
        } else {
            Err(Error::BadSignature)
        }
    }

    /// Whether the message was posted by the account `session_id`: the sender is that id, or
    /// one of its blinded ids on this server (both blind15 candidates, or the blind25 id).
    /// Says nothing about the signature.
    pub fn is_from(&self, session_id: &SessionId) -> bool {
        match &self.sender {
            AccountId::Session(s) => s == session_id,
            AccountId::Blinded(b) => b.matches(session_id, &self.server),
        }
    }
}

/// Decodes and verifies a community message: `data` and `signature` as the server returns
/// them, `sender` its `session_id` field, `server` the server's key.
///
/// Errors (all distinct): [`Error::InvalidBase64`] for either field,
/// [`Error::InvalidSignatureLength`], [`Error::InvalidPadding`], [`Error::Protobuf`]. A
/// signature that does not verify is not an error: the message comes back with
/// [`is_verified`](SogsMessage::is_verified) `false` (use
/// [`into_verified`](SogsMessage::into_verified) to turn that into [`Error::BadSignature`]).
pub fn decode_sogs_message(
    data: &str,
    signature: &str,
    sender: &AccountId,
    server: &ServerPubkey,
) -> Result<SogsMessage> {
    let padded = decode_base64(data, "data")?;
    let sig = signature_array(&decode_base64(signature, "signature")?)?;
    let verified = verify_post(&padded, &sig, sender);
    let content = Content::decode(unpad(&padded).map_err(|_| Error::InvalidPadding)?)?;
    Ok(SogsMessage::new(content, *sender, *server, verified))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::VisibleMessage;
    use session_crypto::verify_xed25519;

    #[test]
    fn unblinded_post_with_fixed_randomness_is_stable() {
        let id = Identity::from_mnemonic(
            "love love love love love love love love love love love love love",
        )
        .unwrap();
        let server: ServerPubkey =
            "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238"
                .parse()
                .unwrap();
        let signer = SogsSigner::new(&id, SigningMode::Unblinded, &server);
        let content = VisibleMessage::text("hello community")
            .timestamp(1_700_000_000_000)
            .into_content();
        let post = signer.encode_with_random(&content, &[0x42; 64]);
        // Independent of the snapshot: the curve25519-js verifier accepts it.
        let padded = STANDARD.decode(&post.data).unwrap();
        verify_xed25519(
            id.x25519_public_key(),
            &padded,
            &STANDARD.decode(&post.signature).unwrap(),
        )
        .unwrap();
        insta::assert_snapshot!(format!(
            "sender: {}\ndata: {}\nsignature: {}",
            signer.sender(),
            post.data,
            post.signature
        ));
    }

    #[test]
    fn unblinded_posts_verify_under_the_session_id() {
        let id = Identity::from_seed(&[9; 16]).unwrap();
        let server = ServerPubkey::from_bytes([1; 32]);
        let signer = SogsSigner::new(&id, SigningMode::Unblinded, &server);
        assert_eq!(signer.sender(), AccountId::Session(id.session_id()));
        let content = VisibleMessage::text("x").timestamp(1).into_content();
        let post = signer.encode(&content).unwrap();
        let read =
            decode_sogs_message(&post.data, &post.signature, &signer.sender(), &server).unwrap();
        assert!(read.is_verified());
        assert!(read.is_from(&id.session_id()));
    }
}
