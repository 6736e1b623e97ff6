//! Community servers, rooms and join links (spec/sogs-api.md §3).
//!
//! A join link is `{base_url}/{room}?public_key={key}`, e.g.
//! `https://open.getsession.org/session?public_key=a03c…1238`. Parsing accepts every variant
//! libsession accepts (`LS:src/config/community.cpp parse_partial_url/canonical_url`, checked
//! against its tests in `tests/vectors/`): any-case scheme and host, default ports dropped,
//! `/r/ROOM` as well as `/ROOM`, and the key as 64 hex digits (any case), 43/44-character
//! base64 (standard or URL-safe) or 52-character base32z. Printing gives the canonical form:
//! lowercase scheme and host, lowercase hex key, the room as given.
//!
//! One deliberate difference: libsession and Session Desktop require a dot in the host, which
//! rejects `localhost`. Local test servers are a main use of this crate, so `localhost` is
//! accepted; every other dotless host is still rejected.

use std::fmt;
use std::str::FromStr;

use session_crypto::ServerPubkey;

/// The longest canonical base URL libsession stores (`community.hpp BASE_URL_MAX_LENGTH`).
pub const BASE_URL_MAX_LENGTH: usize = 267;
/// The longest room token (`[A-Za-z0-9_-]{1,64}`).
pub const ROOM_MAX_LENGTH: usize = 64;

/// What is wrong with a join link, base URL or room token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No `http://` or `https://` in front.
    #[error("missing scheme: the link must start with http:// or https://")]
    MissingScheme,
    /// A scheme other than http or https.
    #[error("unsupported scheme {0:?}: only http and https are allowed")]
    UnsupportedScheme(String),
    /// The host is empty or has characters other than letters, digits, `-` and `.`.
    #[error("invalid host {0:?}: use letters, digits, '-' and '.'")]
    InvalidHost(String),
    /// The host has no dot (only `localhost` is allowed without one).
    #[error("invalid host {0:?}: a host name must contain a dot")]
    HostWithoutDot(String),
    /// The port is not a number from 1 to 65535.
    #[error("invalid port {0:?}")]
    InvalidPort(String),
    /// Something is left between the host and the room (`https://host/extra/room`).
    #[error("unexpected path {0:?} between the host and the room")]
    UnexpectedPath(String),
    /// The base URL is longer than 267 characters.
    #[error("base URL is {0} characters long; at most 267 are allowed")]
    BaseUrlTooLong(usize),
    /// The link names no room.
    #[error("the link names no room")]
    MissingRoom,
    /// The room token is longer than 64 characters.
    #[error("room token is {0} characters long; at most 64 are allowed")]
    RoomTooLong(usize),
    /// The room token has characters other than letters, digits, `_` and `-`.
    #[error("invalid room token {0:?}: use letters, digits, '_' and '-'")]
    InvalidRoom(String),
    /// There is no `?public_key=` part.
    #[error("the link has no ?public_key= part")]
    MissingPublicKey,
    /// The public key is not 64 hex digits, 43/44 base64 characters or 52 base32z characters.
    #[error(
        "invalid public key {0:?}: expected 64 hex digits, 43/44 base64 or 52 base32z characters"
    )]
    InvalidPublicKey(String),
}

/// A room token: 1 to 64 of `[A-Za-z0-9_-]`.
///
/// Servers look tokens up case-insensitively; the token keeps the case it was given for
/// display, and [`canonical`](Self::canonical) gives the lowercase form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomToken(String);

impl RoomToken {
    /// Validates a token.
    pub fn new(token: &str) -> Result<Self, LinkError> {
        if token.is_empty() {
            return Err(LinkError::MissingRoom);
        }
        if token.len() > ROOM_MAX_LENGTH {
            return Err(LinkError::RoomTooLong(token.chars().count()));
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(LinkError::InvalidRoom(token.to_owned()));
        }
        Ok(Self(token.to_owned()))
    }

    /// The token as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lowercase form libsession stores.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl FromStr for RoomToken {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, LinkError> {
        Self::new(s)
    }
}

impl fmt::Display for RoomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RoomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoomToken({})", self.0)
    }
}

impl AsRef<str> for RoomToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for RoomToken {
    type Error = LinkError;
    fn try_from(s: &str) -> Result<Self, LinkError> {
        Self::new(s)
    }
}

impl serde::Serialize for RoomToken {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RoomToken {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}

/// A community server: its canonical base URL (`scheme://host[:port]`, no trailing slash) and
/// its X25519 public key, which signs every request (spec §1.2) and derives blinded ids (§1.4).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Server {
    base_url: String,
    public_key: ServerPubkey,
}

impl Server {
    /// A server from a base URL such as `https://open.getsession.org` or `http://127.0.0.1:8080`
    /// (a trailing `/` is allowed) and its public key.
    pub fn new(base_url: &str, public_key: ServerPubkey) -> Result<Self, LinkError> {
        let trimmed = base_url.strip_suffix('/').unwrap_or(base_url);
        Ok(Self {
            base_url: canonical_base_url(trimmed)?,
            public_key,
        })
    }

    /// The canonical base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server's X25519 public key.
    pub const fn public_key(&self) -> &ServerPubkey {
        &self.public_key
    }

    /// The absolute URL of a request target (`/room/lobby` → `http://host/room/lobby`).
    pub fn url(&self, path_and_query: &str) -> String {
        let mut url = String::with_capacity(self.base_url.len() + path_and_query.len());
        url.push_str(&self.base_url);
        url.push_str(path_and_query);
        url
    }

    /// The join link of one of this server's rooms.
    pub fn join_link(&self, room: RoomToken) -> JoinLink {
        JoinLink {
            server: self.clone(),
            room,
        }
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("base_url", &self.base_url)
            .field("public_key", &self.public_key)
            .finish()
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url)
    }
}

/// A community join link: a [`Server`] and a [`RoomToken`].
///
/// ```
/// use session_sogs::JoinLink;
/// let link: JoinLink = "HTTPS://Example.com:443/r/Lobby?public_key=ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8"
///     .parse()?;
/// assert_eq!(link.server().base_url(), "https://example.com");
/// assert_eq!(link.room().as_str(), "Lobby");
/// assert_eq!(
///     link.to_string(),
///     "https://example.com/Lobby?public_key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/// );
/// # Ok::<(), session_sogs::LinkError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct JoinLink {
    server: Server,
    room: RoomToken,
}

/// The query that carries the server key (`LS:community.cpp qs_pubkey`).
const QS_PUBKEY: &str = "?public_key=";

impl JoinLink {
    /// A link from its parts.
    pub fn new(server: Server, room: RoomToken) -> Self {
        Self { server, room }
    }

    /// Parses a link (see the module docs for the accepted variants).
    pub fn parse(link: &str) -> Result<Self, LinkError> {
        let link = link.trim();
        // Back to front, as libsession does: the key, then the room, then the base URL.
        let (rest, key) = link
            .rfind(QS_PUBKEY)
            .and_then(|pos| Some((link.get(..pos)?, link.get(pos + QS_PUBKEY.len()..)?)))
            .ok_or(LinkError::MissingPublicKey)?;
        let public_key = decode_public_key(key)?;
        let (base, room) = if let Some(pos) = rest.rfind("/r/") {
            (&rest[..pos], &rest[pos + 3..])
        } else if let Some(pos) = rest.rfind('/') {
            (&rest[..pos], &rest[pos + 1..])
        } else {
            return Err(LinkError::MissingScheme);
        };
        // `https://host` alone ends up with an empty base and the host as "room".
        if base.ends_with(':') || base.ends_with("/") || base.is_empty() {
            return Err(if scheme_of(rest).is_some() {
                LinkError::MissingRoom
            } else {
                LinkError::MissingScheme
            });
        }
        let server = Server {
            base_url: canonical_base_url(base)?,
            public_key,
        };
        Ok(Self {
            server,
            room: RoomToken::new(room)?,
        })
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The room.
    pub fn room(&self) -> &RoomToken {
        &self.room
    }

    /// Splits the link into its server and room.
    pub fn into_parts(self) -> (Server, RoomToken) {
        (self.server, self.room)
    }
}

impl FromStr for JoinLink {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, LinkError> {
        Self::parse(s)
    }
}

impl fmt::Display for JoinLink {
    /// The canonical link, as pysogs prints it: `{base_url}/{room}?public_key={hex}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}{QS_PUBKEY}{}",
            self.server.base_url, self.room, self.server.public_key
        )
    }
}

/// The scheme of a URL (`http` or `https`, lower-cased) and the rest after `://`.
fn scheme_of(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    Some((scheme.to_ascii_lowercase(), rest))
}

/// `scheme://host[:port]` in canonical form: lowercase, default port dropped, no path.
fn canonical_base_url(url: &str) -> Result<String, LinkError> {
    let (scheme, rest) = scheme_of(url).ok_or(LinkError::MissingScheme)?;
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(LinkError::UnsupportedScheme(scheme)),
    };
    let (authority, path) = match rest.find('/') {
        Some(pos) => (&rest[..pos], &rest[pos..]),
        None => (rest, ""),
    };
    if !path.is_empty() {
        return Err(LinkError::UnexpectedPath(path.to_owned()));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port: u16 = p
                .parse()
                .ok()
                .filter(|&n| n != 0)
                .ok_or_else(|| LinkError::InvalidPort(p.to_owned()))?;
            (h, Some(port))
        }
        None => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    if host.is_empty()
        || host.starts_with(['.', '-'])
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(LinkError::InvalidHost(host));
    }
    if !host.contains('.') && host != "localhost" {
        return Err(LinkError::HostWithoutDot(host));
    }
    let mut out = format!("{scheme}://{host}");
    if let Some(port) = port.filter(|&p| p != default_port) {
        out.push(':');
        out.push_str(&port.to_string());
    }
    if out.len() > BASE_URL_MAX_LENGTH {
        return Err(LinkError::BaseUrlTooLong(out.len()));
    }
    Ok(out)
}

/// Decodes a server key given as 64 hex, 43/44 base64 or 52 base32z characters.
pub(crate) fn decode_public_key(key: &str) -> Result<ServerPubkey, LinkError> {
    let bad = || LinkError::InvalidPublicKey(key.chars().take(80).collect());
    let bytes: Option<[u8; 32]> = match key.len() {
        64 => {
            let mut out = [0u8; 32];
            hex::decode_to_slice(key, &mut out).ok().map(|()| out)
        }
        43 | 44 => crate::encoding::decode_base64_any(key).and_then(|v| v.try_into().ok()),
        52 => crate::encoding::decode_base32z(key).and_then(|v| v.try_into().ok()),
        _ => None,
    };
    bytes.map(ServerPubkey::from_bytes).ok_or_else(bad)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_and_prints_the_canonical_form() {
        let link =
            JoinLink::parse(&format!("HTTP://Example.COM:8080/Lobby?public_key={KEY}")).unwrap();
        assert_eq!(link.server().base_url(), "http://example.com:8080");
        assert_eq!(link.room().as_str(), "Lobby");
        assert_eq!(link.room().canonical(), "lobby");
        assert_eq!(
            link.to_string(),
            format!("http://example.com:8080/Lobby?public_key={KEY}")
        );
        assert_eq!(JoinLink::parse(&link.to_string()).unwrap(), link);
    }

    #[test]
    fn accepts_loopback_addresses_and_localhost() {
        let link =
            JoinLink::parse(&format!("http://127.0.0.1:40123/lobby?public_key={KEY}")).unwrap();
        assert_eq!(link.server().base_url(), "http://127.0.0.1:40123");
        let local = JoinLink::parse(&format!("http://localhost:8/lobby?public_key={KEY}")).unwrap();
        assert_eq!(local.server().base_url(), "http://localhost:8");
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let cases: &[(String, LinkError)] = &[
            (
                format!("example.com/r?public_key={KEY}"),
                LinkError::MissingScheme,
            ),
            (
                format!("ftp://example.com/r?public_key={KEY}"),
                LinkError::UnsupportedScheme("ftp".into()),
            ),
            (
                format!("http://exa_mple.com/r?public_key={KEY}"),
                LinkError::InvalidHost("exa_mple.com".into()),
            ),
            (
                format!("http://intranet/r?public_key={KEY}"),
                LinkError::HostWithoutDot("intranet".into()),
            ),
            (
                format!("http://example.com:99999/r?public_key={KEY}"),
                LinkError::InvalidPort("99999".into()),
            ),
            (
                format!("http://example.com/extra/r?public_key={KEY}"),
                LinkError::UnexpectedPath("/extra".into()),
            ),
            (
                format!("http://example.com/?public_key={KEY}"),
                LinkError::MissingRoom,
            ),
            (
                format!("http://example.com/r!?public_key={KEY}"),
                LinkError::InvalidRoom("r!".into()),
            ),
            (
                format!("http://example.com/{}?public_key={KEY}", "a".repeat(65)),
                LinkError::RoomTooLong(65),
            ),
            ("http://example.com/r".into(), LinkError::MissingPublicKey),
            (
                "http://example.com/r?public_key=abcd".into(),
                LinkError::InvalidPublicKey("abcd".into()),
            ),
            (
                format!("http://example.com/r?public_key={}", &KEY.replace('0', "g")),
                LinkError::InvalidPublicKey(KEY.replace('0', "g")),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(JoinLink::parse(input).as_ref(), Err(want), "{input}");
        }
    }

    #[test]
    fn server_base_url_accepts_a_trailing_slash_only() {
        let pk: ServerPubkey = KEY.parse().unwrap();
        assert_eq!(
            Server::new("https://Example.com:443/", pk)
                .unwrap()
                .base_url(),
            "https://example.com"
        );
        assert_eq!(
            Server::new("https://example.com/sogs", pk),
            Err(LinkError::UnexpectedPath("/sogs".into()))
        );
        assert_eq!(
            Server::new("https://example.com", pk)
                .unwrap()
                .url("/room/x"),
            "https://example.com/room/x"
        );
    }

    #[test]
    fn multibyte_input_never_panics() {
        for s in [
            "é",
            "http://é/é?public_key=é",
            "http://ex.com/é?public_key=",
            "/r/?public_key=",
            "?public_key=",
        ] {
            assert!(JoinLink::parse(s).is_err(), "{s}");
        }
    }
}
