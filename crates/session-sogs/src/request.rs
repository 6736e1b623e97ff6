//! Requests described as data, and responses mapped to typed results.
//!
//! Every endpoint of spec/sogs-api.md §2 is a type implementing [`Endpoint`]: it says which
//! method, path and body to send and how to read the answer. Nothing here does I/O; the
//! [`SogsClient`](crate::SogsClient) sends endpoints through a transport, and
//! [`Batch`](crate::Batch) packs several into one `/batch` or `/sequence`.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use session_crypto::{Identity, ServerPubkey};

use crate::error::{DEFAULT_RETRY_AFTER, Error, Result};

/// An HTTP method SOGS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name as sent and signed.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body (GET, DELETE).
    #[default]
    Empty,
    /// A JSON document, already serialized (`application/json`).
    Json(Vec<u8>),
    /// Raw bytes (`application/octet-stream`), with an optional `Content-Disposition`.
    Bytes {
        /// The bytes.
        data: Vec<u8>,
        /// `attachment; filename*=UTF-8''…` for uploads (spec §6.11).
        content_disposition: Option<String>,
    },
}

impl Body {
    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self> {
        serde_json::to_vec(value)
            .map(Self::Json)
            .map_err(|e| Error::InvalidInput {
                what: "request body",
                reason: e.to_string(),
            })
    }

    /// The bytes sent on the wire (and hashed into the signature).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Empty => &[],
            Self::Json(b) | Self::Bytes { data: b, .. } => b,
        }
    }

    /// The headers that describe the body.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Empty => Vec::new(),
            Self::Json(_) => vec![("Content-Type", "application/json".to_owned())],
            Self::Bytes {
                content_disposition,
                ..
            } => {
                let mut h = vec![("Content-Type", "application/octet-stream".to_owned())];
                if let Some(cd) = content_disposition {
                    h.push(("Content-Disposition", cd.clone()));
                }
                h
            }
        }
    }
}

/// Whether an endpoint needs a signed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Never signed (`/capabilities`).
    None,
    /// Signed when the client has an identity (the answer then reflects the user: read
    /// permission, whispers, `you` on reactions), anonymous otherwise.
    Optional,
    /// Must be signed: the client fails with [`Error::NoIdentity`] without an identity.
    Required,
}

/// A response: status, lower-case headers and body bytes, from the network or unpacked from a
/// `/batch` element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's clock from the `Date` header (HTTP date, or Unix seconds as bunsogs sends
    /// on downloads), as Unix seconds.
    pub fn server_time(&self) -> Option<u64> {
        crate::clock::parse_date(self.header("date")?)
    }

    /// Maps a non-2xx status to its error (spec §6.3); `Ok(())` for 2xx.
    pub fn error_for_status(&self) -> Result<()> {
        if self.is_success() {
            return Ok(());
        }
        let reason = reason_text(&self.body);
        Err(match self.status {
            400 => Error::BadRequest { reason },
            401 => Error::Unauthorized { reason },
            403 if reason == "Banned" => Error::Banned,
            403 => Error::Forbidden { reason },
            404 => Error::NotFound { reason },
            406 => Error::NotAcceptable { reason },
            412 => Error::MissingCapabilities {
                missing: serde_json::from_slice::<MissingCaps>(&self.body)
                    .map(|m| m.missing)
                    .unwrap_or_default(),
            },
            413 => Error::PayloadTooLarge,
            425 if reason.contains("Nonce") => Error::NonceReused,
            425 => Error::ClockSkew {
                server_time: self.server_time(),
            },
            429 => Error::RateLimited {
                retry_after: self
                    .header("retry-after")
                    .and_then(|v| v.trim().parse().ok())
                    .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs),
                reason,
            },
            500..=599 => Error::Server {
                status: self.status,
                reason,
            },
            status => Error::UnexpectedStatus { status, reason },
        })
    }
}

#[derive(serde::Deserialize)]
struct MissingCaps {
    #[serde(default)]
    missing: Vec<String>,
}

/// The longest error reason kept from a body.
const MAX_REASON: usize = 200;

/// A short, printable reason from an error body: plain text as is, an HTML page by its
/// `<title>`, control characters dropped, at most 200 characters.
pub(crate) fn reason_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let text = if text.starts_with('<') {
        let lower = text.to_ascii_lowercase();
        match (lower.find("<title>"), lower.find("</title>")) {
            (Some(a), Some(b)) if a + 7 <= b => text.get(a + 7..b).unwrap_or("HTML error page"),
            _ => "HTML error page",
        }
    } else {
        text
    };
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON)
        .collect()
}

/// What parsing a response may need: the server key (to verify blinded message signatures)
/// and the identity (to decrypt DMs).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The server's public key.
    pub server: &'a ServerPubkey,
    /// The signed-in identity, if any.
    pub identity: Option<&'a Identity>,
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("server", self.server)
            .field("identity", &self.identity.map(Identity::session_id))
            .finish()
    }
}

/// One SOGS endpoint: what to send, and how to read the answer.
///
/// Implementations describe a request without sending it, so the same value can go out
/// directly ([`SogsClient::send`](crate::SogsClient::send)) or inside a
/// [`Batch`](crate::Batch).
pub trait Endpoint {
    /// The typed result of a successful answer.
    type Output;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The request target as sent: path (percent-encoded) and query, e.g.
    /// `/room/lobby/messages/since/12?t=r&reactors=5`.
    fn path(&self) -> String;

    /// The body (none by default).
    fn body(&self) -> Result<Body> {
        Ok(Body::Empty)
    }

    /// Whether the request is signed (optional by default).
    fn auth(&self) -> Auth {
        Auth::Optional
    }

    /// Reads a response (any status: non-2xx statuses become errors here).
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Self::Output>;
}

/// Parses a 2xx JSON body, or maps the status to its error.
pub(crate) fn json<T: DeserializeOwned>(what: &str, response: &Response) -> Result<T> {
    response.error_for_status()?;
    serde_json::from_slice(&response.body).map_err(|e| decode_error(what, &e))
}

/// Accepts any 2xx, ignoring the body (bunsogs answers some calls with a non-JSON body,
/// spec §4: key on the status only).
pub(crate) fn empty(response: &Response) -> Result<()> {
    response.error_for_status()
}

/// A [`Error::Decode`] for a body that is not what `what` documents.
pub(crate) fn decode_error(what: &str, e: &dyn fmt::Display) -> Error {
    Error::Decode {
        endpoint: what.to_owned(),
        detail: e.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("date".into(), "Sun, 06 Nov 1994 08:49:37 GMT".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_map_to_actionable_errors() {
        assert!(resp(201, "").error_for_status().is_ok());
        assert!(matches!(
            resp(400, "Invalid authentication: bad").error_for_status(),
            Err(Error::BadRequest { reason }) if reason == "Invalid authentication: bad"
        ));
        assert!(matches!(
            resp(403, "Banned").error_for_status(),
            Err(Error::Banned)
        ));
        assert!(matches!(
            resp(403, "Permission denied").error_for_status(),
            Err(Error::Forbidden { .. })
        ));
        assert!(matches!(
            resp(
                425,
                "Invalid authentication: X-SOGS-Timestamp is too far from current time"
            )
            .error_for_status(),
            Err(Error::ClockSkew {
                server_time: Some(784_111_777)
            })
        ));
        assert!(matches!(
            resp(425, "Invalid authentication: X-SOGS-Nonce cannot be reused").error_for_status(),
            Err(Error::NonceReused)
        ));
        assert!(matches!(
            resp(429, "Rate limited").error_for_status(),
            Err(Error::RateLimited { retry_after, .. }) if retry_after == DEFAULT_RETRY_AFTER
        ));
        assert!(matches!(
            resp(412, r#"{"capabilities":["sogs"],"missing":["magic"]}"#).error_for_status(),
            Err(Error::MissingCapabilities { missing }) if missing == ["magic"]
        ));
        assert!(matches!(
            resp(502, "").error_for_status(),
            Err(Error::Server { status: 502, .. })
        ));
        assert!(matches!(
            resp(418, "").error_for_status(),
            Err(Error::UnexpectedStatus { status: 418, .. })
        ));
    }

    #[test]
    fn html_error_pages_become_their_title() {
        let page =
            "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>";
        assert_eq!(reason_text(page.as_bytes()), "404 Not Found");
        assert_eq!(reason_text(b"<p>"), "HTML error page");
        assert_eq!(reason_text(&[0xff, b'\n', b'x']), "\u{fffd}x");
        assert_eq!(reason_text("é".repeat(500).as_bytes()).chars().count(), 200);
    }
}
