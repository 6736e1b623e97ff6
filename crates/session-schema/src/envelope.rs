//! 1:1 messages as stored on snodes: `base64(WebSocketMessage{ request: { body: Envelope{
//! content: sealed box } } })` (spec/crypto.md §6.3, spec/network.md §5.2).
//!
//! The cryptographic layer (padding, signature, sealed box) is `session_crypto::onetoone`;
//! this module adds the two protobuf frames around it and the base64 of the snode `data` field.
//!
//! Producers differ in optional fields (Session.js sends verb `PUT`, path `/api/v1/message`,
//! id 0; libsession sends empty strings and sometimes `sourceDevice` and `proSig`); receivers
//! read only `request.body` and the envelope's `content`, and so does [`unwrap`]. [`wrap`]
//! writes the Session.js form, which is also what the published vectors use.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::Message;
use session_crypto::{Identity, SessionId, onetoone};

use crate::content::Content;
use crate::error::{Error, Result};
use crate::proto;
use crate::sogs::decode_base64;

/// The verb Session.js puts in the request frame.
const VERB: &str = "PUT";
/// The path Session.js puts in the request frame.
const PATH: &str = "/api/v1/message";

/// Encrypts `content` from `sender` to `recipient` and frames it for a snode `store`:
/// the returned string is the `data` field (namespace 0).
///
/// `timestamp` (ms) becomes the envelope timestamp; current clients require it to equal the
/// content's own timestamp (`sigTimestamp`), so pass the one the message was built with. It must
/// be greater than zero.
///
/// ```
/// use session_crypto::Identity;
/// use session_schema::{VisibleMessage, unwrap, wrap};
/// let alice = Identity::generate()?;
/// let bob = Identity::generate()?;
/// let content = VisibleMessage::text("hi bob").timestamp(1_700_000_000_000).into_content();
/// let data = wrap(&alice, &bob.session_id(), &content, 1_700_000_000_000)?;
/// let received = unwrap(&bob, &data)?;
/// assert_eq!(received.sender, alice.session_id());
/// assert_eq!(received.content.text(), Some("hi bob"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wrap(
    sender: &Identity,
    recipient: &SessionId,
    content: &Content,
    timestamp: u64,
) -> Result<String> {
    if timestamp == 0 {
        return Err(Error::ZeroTimestamp { what: "envelope" });
    }
    let ciphertext = onetoone::encrypt(sender, recipient, content.as_bytes())?;
    Ok(frame(ciphertext, timestamp))
}

/// Frames an already encrypted 1:1 message (a sealed box from `session_crypto::onetoone`) in
/// an `Envelope` (type `SESSION_MESSAGE`, no source) and a `WebSocketMessage` request, and
/// base64-encodes the result.
pub fn frame(ciphertext: Vec<u8>, timestamp: u64) -> String {
    let envelope = proto::Envelope {
        r#type: proto::envelope::Type::SessionMessage as i32,
        timestamp,
        content: Some(ciphertext),
        ..Default::default()
    };
    let message = proto::WebSocketMessage {
        r#type: Some(proto::web_socket_message::Type::Request as i32),
        request: Some(proto::WebSocketRequestMessage {
            verb: Some(VERB.to_owned()),
            path: Some(PATH.to_owned()),
            body: Some(envelope.encode_to_vec()),
            headers: Vec::new(),
            id: Some(0),
        }),
        response: None,
    };
    STANDARD.encode(message.encode_to_vec())
}

/// Removes the base64, `WebSocketMessage` and `Envelope` layers of a snode `data` field,
/// without decrypting: the envelope's `content` is the sealed box.
///
/// Errors: [`Error::InvalidBase64`], [`Error::Protobuf`] (either frame),
/// [`Error::MissingField`] when the request, its body or the envelope content is absent.
pub fn unframe(data: &str) -> Result<proto::Envelope> {
    let bytes = decode_base64(data, "snode data")?;
    let message = proto::WebSocketMessage::decode(bytes.as_slice())
        .map_err(|e| Error::protobuf("WebSocketMessage", e))?;
    let body = message
        .request
        .and_then(|r| r.body)
        .ok_or(Error::MissingField {
            message: "WebSocketMessage",
            field: "request.body",
        })?;
    let envelope =
        proto::Envelope::decode(body.as_slice()).map_err(|e| Error::protobuf("Envelope", e))?;
    if envelope.content.is_none() {
        return Err(Error::MissingField {
            message: "Envelope",
            field: "content",
        });
    }
    Ok(envelope)
}

/// A 1:1 message received and verified.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ReceivedMessage {
    /// The sender, proven by the signature inside the sealed box (not by any outer field).
    pub sender: SessionId,
    /// The sender's Ed25519 key, under which the signature verified.
    pub sender_ed25519: [u8; 32],
    /// The envelope timestamp (ms).
    pub envelope_timestamp: u64,
    /// The decrypted content.
    pub content: Content,
}

impl ReceivedMessage {
    /// Whether the content's timestamp agrees with the envelope's, as current clients require
    /// for 1:1 messages (content without a timestamp is a legacy sender and agrees).
    pub fn timestamps_agree(&self) -> bool {
        self.content
            .proto()
            .sig_timestamp
            .is_none_or(|t| t == 0 || t == self.envelope_timestamp)
    }
}

/// Decodes a snode `data` field addressed to `me`: removes the frames, decrypts, verifies the
/// sender's signature and decodes the `Content`.
///
/// Errors: those of [`unframe`]; [`Error::UnsupportedEnvelopeType`] for anything but a 1:1
/// `SESSION_MESSAGE`; [`Error::Crypto`] when the sealed box does not open or the signature does
/// not verify (a forged message is an error, never a message); [`Error::Protobuf`] for the
/// content.
pub fn unwrap(me: &Identity, data: &str) -> Result<ReceivedMessage> {
    let envelope = unframe(data)?;
    if envelope.r#type != proto::envelope::Type::SessionMessage as i32 {
        return Err(Error::UnsupportedEnvelopeType(envelope.r#type));
    }
    let ciphertext = envelope.content.unwrap_or_default();
    let decrypted = onetoone::decrypt(me, &ciphertext)?;
    Ok(ReceivedMessage {
        sender: decrypted.sender,
        sender_ed25519: decrypted.sender_ed25519,
        envelope_timestamp: envelope.timestamp,
        content: Content::decode(&decrypted.content)?,
    })
}
