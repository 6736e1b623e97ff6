//! Server capabilities and the signing mode they imply (spec §2.1, §6.1).

use serde::{Deserialize, Serialize};
use session_crypto::SigningMode;

/// The `capabilities` a server advertises (`GET /capabilities`), e.g. `blind`, `reactions`,
/// `sogs`, and `blind25` on servers that accept blind25 keys.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    /// The capability names, as the server lists them (sorted).
    #[serde(default, deserialize_with = "crate::model::null_default")]
    pub capabilities: Vec<String>,
}

impl Capabilities {
    /// Capabilities from a list of names.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Self {
            capabilities: names.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the server advertises `name`.
    pub fn has(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c == name)
    }

    /// Whether the server requires blinded keys (`blind`).
    pub fn requires_blinding(&self) -> bool {
        self.has("blind")
    }

    /// The signing mode to use (spec §6.1 and issue 6 §2): `blind25` if the server offers it,
    /// else `blind15` when the server requires blinding, else unblinded, which such a server
    /// allows and which is what Session clients send there.
    pub fn signing_mode(&self) -> SigningMode {
        if self.has("blind25") {
            SigningMode::Blind25
        } else if self.requires_blinding() {
            SigningMode::Blind15
        } else {
            SigningMode::Unblinded
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn signing_mode_follows_capabilities() {
        assert_eq!(
            Capabilities::new(["blind", "blind25", "reactions", "sogs"]).signing_mode(),
            SigningMode::Blind25
        );
        assert_eq!(
            Capabilities::new(["blind", "reactions", "sogs"]).signing_mode(),
            SigningMode::Blind15
        );
        // vector pysogs_capabilities_none: a server with blinding off.
        assert_eq!(
            Capabilities::new(["reactions", "sogs"]).signing_mode(),
            SigningMode::Unblinded
        );
    }

    #[test]
    fn parses_the_pysogs_body_and_bunsogs_nulls() {
        let c: Capabilities =
            serde_json::from_str(r#"{"capabilities":["blind","reactions","sogs"],"x":1}"#).unwrap();
        assert!(c.requires_blinding() && c.has("reactions") && !c.has("blind25"));
        let n: Capabilities = serde_json::from_str(r#"{"capabilities":null}"#).unwrap();
        assert!(n.capabilities.is_empty());
    }
}
