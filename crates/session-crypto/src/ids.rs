//! Typed ids and public keys: [`SessionId`] (`05…`), [`BlindedId`] (`15…` / `25…`),
//! [`AccountId`] (any of them) and [`ServerPubkey`].
//!
//! All parse from and print as lowercase hex (`FromStr` / `Display`), and (de)serialize with
//! serde as those strings. Parsing accepts upper-case hex and rejects everything else with a
//! typed [`Error`].

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Decodes exactly `N` bytes of hex, naming `what` in errors.
pub(crate) fn decode_hex_array<const N: usize>(what: &'static str, s: &str) -> Result<[u8; N]> {
    if s.len() != N * 2 {
        return Err(Error::InvalidLength {
            what,
            expected: N,
            actual: s.len() / 2,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| Error::InvalidHex { what })?;
    Ok(out)
}

/// Splits a 66-hex-digit id into its 2-digit prefix and 32-byte key.
fn split_id<'a>(what: &'static str, s: &'a str) -> Result<(&'a str, [u8; 32])> {
    if s.len() != 66 {
        return Err(Error::InvalidLength {
            what,
            expected: 33,
            actual: s.len() / 2,
        });
    }
    let (prefix, key) = s.split_at_checked(2).ok_or(Error::InvalidHex { what })?;
    Ok((prefix, decode_hex_array(what, key)?))
}

macro_rules! serde_via_str {
    ($t:ty, $expecting:literal) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<$t, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// A Session ID: `05` followed by the hex of the account's X25519 public key (66 hex digits).
///
/// ```
/// use session_crypto::SessionId;
/// let id: SessionId = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818".parse()?;
/// assert_eq!(id.x25519_public_key()[0], 0x3d);
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; 32]);

impl SessionId {
    /// The id of the account with this X25519 public key.
    pub const fn from_x25519(public_key: [u8; 32]) -> Self {
        Self(public_key)
    }

    /// The X25519 public key the id names.
    pub const fn x25519_public_key(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 33 bytes `0x05 ‖ key`.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = 0x05;
        out[1..].copy_from_slice(&self.0);
        out
    }
}

impl FromStr for SessionId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (prefix, key) = split_id("Session ID", s)?;
        if prefix != "05" {
            return Err(Error::InvalidPrefix {
                what: "Session ID",
                expected: "05",
                found: prefix.to_owned(),
            });
        }
        Ok(Self(key))
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "05{}", hex::encode(self.0))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

serde_via_str!(SessionId, "a 66-hex-digit Session ID starting with 05");

/// Which blinding scheme produced a [`BlindedId`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum BlindingScheme {
    /// `15…`: `k = H(server_pk)`, the same factor for every user of a server (spec/crypto.md §2.2).
    Blind15,
    /// `25…`: a per-user factor `k25 = H(05 ‖ X ‖ server_pk)` (spec/crypto.md §2.5).
    Blind25,
}

impl BlindingScheme {
    /// The two-hex-digit prefix of ids of this scheme.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Blind15 => "15",
            Self::Blind25 => "25",
        }
    }
}

/// A blinded id as a community server sees a user: `15` or `25` followed by the hex of the
/// blinded Ed25519 public key.
///
/// ```
/// use session_crypto::{BlindedId, BlindingScheme};
/// let id: BlindedId = "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c".parse()?;
/// assert_eq!(id.scheme(), BlindingScheme::Blind15);
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlindedId {
    scheme: BlindingScheme,
    key: [u8; 32],
}

impl BlindedId {
    /// The id of `scheme` with blinded Ed25519 public key `key`.
    pub const fn new(scheme: BlindingScheme, key: [u8; 32]) -> Self {
        Self { scheme, key }
    }

    /// The blinding scheme (from the prefix).
    pub const fn scheme(&self) -> BlindingScheme {
        self.scheme
    }

    /// The blinded Ed25519 public key: signatures by this user verify under it.
    pub const fn public_key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The 33 bytes `prefix ‖ key`.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = match self.scheme {
            BlindingScheme::Blind15 => 0x15,
            BlindingScheme::Blind25 => 0x25,
        };
        out[1..].copy_from_slice(&self.key);
        out
    }
}

impl FromStr for BlindedId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (prefix, key) = split_id("blinded id", s)?;
        let scheme = match prefix {
            "15" => BlindingScheme::Blind15,
            "25" => BlindingScheme::Blind25,
            other => {
                return Err(Error::InvalidPrefix {
                    what: "blinded id",
                    expected: "15 or 25",
                    found: other.to_owned(),
                });
            }
        };
        Ok(Self { scheme, key })
    }
}

impl fmt::Display for BlindedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.scheme.prefix(), hex::encode(self.key))
    }
}

impl fmt::Debug for BlindedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlindedId({self})")
    }
}

serde_via_str!(
    BlindedId,
    "a 66-hex-digit blinded id starting with 15 or 25"
);

/// Any id a community server shows for a user: a [`SessionId`] (servers that do not require
/// blinding) or a [`BlindedId`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountId {
    /// `05…`
    Session(SessionId),
    /// `15…` or `25…`
    Blinded(BlindedId),
}

impl AccountId {
    /// The blinded id, if this is one.
    pub const fn as_blinded(&self) -> Option<&BlindedId> {
        match self {
            Self::Blinded(b) => Some(b),
            Self::Session(_) => None,
        }
    }

    /// The Session ID, if this is one.
    pub const fn as_session(&self) -> Option<&SessionId> {
        match self {
            Self::Session(s) => Some(s),
            Self::Blinded(_) => None,
        }
    }
}

impl FromStr for AccountId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.get(..2) {
            Some("05") => Ok(Self::Session(s.parse()?)),
            Some("15" | "25") => Ok(Self::Blinded(s.parse()?)),
            _ => {
                // Report a length problem first, as for the single-kind ids.
                split_id("account id", s)?;
                Err(Error::InvalidPrefix {
                    what: "account id",
                    expected: "05, 15 or 25",
                    found: s.get(..2).unwrap_or_default().to_owned(),
                })
            }
        }
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session(s) => s.fmt(f),
            Self::Blinded(b) => b.fmt(f),
        }
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({self})")
    }
}

impl From<SessionId> for AccountId {
    fn from(id: SessionId) -> Self {
        Self::Session(id)
    }
}

impl From<BlindedId> for AccountId {
    fn from(id: BlindedId) -> Self {
        Self::Blinded(id)
    }
}

serde_via_str!(AccountId, "a 66-hex-digit id starting with 05, 15 or 25");

/// A community server's X25519 public key: the `public_key` of its join link, the key that
/// blinded ids are derived from and that onion requests are encrypted to (64 hex digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerPubkey([u8; 32]);

impl ServerPubkey {
    /// Wraps raw key bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw key bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for ServerPubkey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(Self(decode_hex_array("server public key", s)?))
    }
}

impl fmt::Display for ServerPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ServerPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerPubkey({self})")
    }
}

serde_via_str!(ServerPubkey, "a 64-hex-digit server public key");

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const SID: &str = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818";

    #[test]
    fn session_id_round_trips_and_accepts_upper_case() {
        let id: SessionId = SID.parse().unwrap();
        assert_eq!(id.to_string(), SID);
        let upper: SessionId = SID.to_uppercase().parse().unwrap();
        assert_eq!(upper, id);
        assert_eq!(id.to_bytes()[0], 5);
    }

    #[test]
    fn session_id_errors_are_typed() {
        assert_eq!(
            SID[..64].parse::<SessionId>(),
            Err(Error::InvalidLength {
                what: "Session ID",
                expected: 33,
                actual: 32
            })
        );
        let blinded = format!("15{}", &SID[2..]);
        assert!(matches!(
            blinded.parse::<SessionId>(),
            Err(Error::InvalidPrefix { .. })
        ));
        let bad = format!("05{}zz", &SID[2..64]);
        assert_eq!(
            bad.parse::<SessionId>(),
            Err(Error::InvalidHex { what: "Session ID" })
        );
        // Multi-byte UTF-8 must not panic on the prefix split.
        let odd = format!("é{}", &SID[2..]);
        assert!(odd.parse::<SessionId>().is_err());
        assert!(odd.parse::<AccountId>().is_err());
    }

    #[test]
    fn blinded_and_account_ids_parse_by_prefix() {
        let b15 = format!("15{}", &SID[2..]);
        let b25 = format!("25{}", &SID[2..]);
        assert_eq!(
            b15.parse::<BlindedId>().unwrap().scheme(),
            BlindingScheme::Blind15
        );
        assert_eq!(
            b25.parse::<BlindedId>().unwrap().scheme(),
            BlindingScheme::Blind25
        );
        assert!(matches!(
            SID.parse::<AccountId>().unwrap(),
            AccountId::Session(_)
        ));
        assert!(matches!(
            b25.parse::<AccountId>().unwrap(),
            AccountId::Blinded(_)
        ));
        let other = format!("07{}", &SID[2..]);
        assert!(matches!(
            other.parse::<AccountId>(),
            Err(Error::InvalidPrefix { .. })
        ));
        assert!(matches!(
            other.parse::<BlindedId>(),
            Err(Error::InvalidPrefix { .. })
        ));
        assert_eq!(b25.parse::<AccountId>().unwrap().to_string(), b25);
    }

    #[test]
    fn ids_serialize_as_strings() {
        let id: AccountId = SID.parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{SID}\""));
        let back: AccountId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<ServerPubkey>("\"00\"").is_err());
    }
}
