//! Service nodes ("snodes"): who they are, the pool of known snodes, onion paths through
//! them, and where to find them (seed nodes). network.md §1–2.

mod error;
mod path;
mod pool;
mod seed;
mod store;

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

pub use error::SnodeError;
pub use path::{FailureOutcome, OnionPath, PathConfig, PathManager};
pub use pool::{
    MIN_POOL_SIZE, MemoryStore, POOL_REFRESH_INTERVAL, STRIKES_TO_DROP, SnodePool, SnodeStore,
};
pub use seed::{SeedConfig, get_n_service_nodes_body, parse_service_nodes};
pub use store::JsonFileStore;

use crate::onion::HopKeys;

/// A service node: where it listens and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snode {
    /// Public IPv4 address (`public_ip`; `ip` in `get_swarm` replies).
    pub ip: Ipv4Addr,
    /// The HTTPS storage port (`storage_port`; `port_https`), for `/onion_req/v2` and
    /// `/storage_rpc/v1`.
    pub port: u16,
    /// Ed25519 public key (`pubkey_ed25519`): the snode's identity.
    #[serde(with = "hex_key")]
    pub ed25519: [u8; 32],
    /// X25519 public key (`pubkey_x25519`): encrypts onion layers to it.
    #[serde(with = "hex_key")]
    pub x25519: [u8; 32],
    /// The swarm it belongs to, when known (`swarm_id`, may exceed 2^53).
    #[serde(default)]
    pub swarm_id: Option<u64>,
}

impl Snode {
    /// Its keys as an onion hop.
    pub fn hop_keys(&self) -> HopKeys {
        HopKeys {
            ed25519: self.ed25519,
            x25519: self.x25519,
        }
    }

    /// The /24 subnet (first three octets): paths keep their hops in distinct subnets.
    pub fn subnet24(&self) -> [u8; 3] {
        let [a, b, c, _] = self.ip.octets();
        [a, b, c]
    }

    /// `https://ip:port/` plus `path`.
    pub fn url(&self, path: &str) -> Result<Url, SnodeError> {
        format!("https://{}:{}{}", self.ip, self.port, path)
            .parse()
            .map_err(|e: url::ParseError| SnodeError::Decode {
                what: "snode URL",
                reason: e.to_string(),
            })
    }

    /// Parses one snode entry of a `get_n_service_nodes` / `get_service_nodes` list
    /// (`public_ip`, `storage_port`, …) or of a `get_swarm` reply (`ip`, `port_https`, …).
    /// `Ok(None)` for entries without a usable address (`""` or `"0.0.0.0"`: no uptime proof
    /// yet), which callers skip.
    pub fn from_json(entry: &Value) -> Result<Option<Self>, SnodeError> {
        const WHAT: &str = "snode entry";
        let ip = entry
            .get("public_ip")
            .or_else(|| entry.get("ip"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if ip.is_empty() || ip == "0.0.0.0" {
            return Ok(None);
        }
        let ip: Ipv4Addr = ip.parse().map_err(|_| SnodeError::Decode {
            what: WHAT,
            reason: format!(
                "bad IPv4 address {:?}",
                ip.chars().take(40).collect::<String>()
            ),
        })?;
        let port = entry
            .get("storage_port")
            .or_else(|| entry.get("port_https"))
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p != 0)
            .ok_or(SnodeError::Decode {
                what: WHAT,
                reason: "missing or bad storage_port/port_https".into(),
            })?;
        let key = |field: &'static str| -> Result<[u8; 32], SnodeError> {
            let text = entry
                .get(field)
                .and_then(Value::as_str)
                .ok_or(SnodeError::Decode {
                    what: WHAT,
                    reason: format!("missing {field}"),
                })?;
            let mut out = [0u8; 32];
            hex::decode_to_slice(text, &mut out).map_err(|_| SnodeError::Decode {
                what: WHAT,
                reason: format!("{field} is not 64 hex digits"),
            })?;
            Ok(out)
        };
        // `swarm_id` is a JSON number up to 2^64 − 1; `swarm` in get_swarm replies is hex.
        let swarm_id = entry.get("swarm_id").and_then(Value::as_u64);
        Ok(Some(Self {
            ip,
            port,
            ed25519: key("pubkey_ed25519")?,
            x25519: key("pubkey_x25519")?,
            swarm_id,
        }))
    }
}

impl std::fmt::Display for Snode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} ({}…)",
            self.ip,
            self.port,
            &hex::encode(self.ed25519)[..8]
        )
    }
}

mod hex_key {
    //! 32-byte keys as hex strings in persisted JSON.
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(key: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(key))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_seed_and_swarm_entries_and_skips_unproven_nodes() {
        let ed = "11".repeat(32);
        let x = "22".repeat(32);
        let seed = serde_json::json!({"public_ip":"1.2.3.4","storage_port":22021,
            "pubkey_ed25519":ed,"pubkey_x25519":x,"swarm_id":18446744073709551596u64});
        let s = Snode::from_json(&seed).unwrap().unwrap();
        assert_eq!(
            (s.ip, s.port, s.swarm_id),
            ("1.2.3.4".parse().unwrap(), 22021, Some(u64::MAX - 19))
        );
        assert_eq!(s.subnet24(), [1, 2, 3]);
        let swarm = serde_json::json!({"ip":"5.6.7.8","port":"22021","port_https":443,
            "pubkey_ed25519":ed,"pubkey_x25519":x});
        assert_eq!(Snode::from_json(&swarm).unwrap().unwrap().port, 443);
        let unproven = serde_json::json!({"public_ip":"0.0.0.0","storage_port":1});
        assert_eq!(Snode::from_json(&unproven).unwrap(), None);
        let bad = serde_json::json!({"public_ip":"1.2.3.4","storage_port":1,"pubkey_ed25519":"zz"});
        assert!(matches!(
            Snode::from_json(&bad),
            Err(SnodeError::Decode { .. })
        ));
    }

    #[test]
    fn persists_as_json_with_hex_keys() {
        let s = Snode {
            ip: "9.9.9.9".parse().unwrap(),
            port: 1,
            ed25519: [1; 32],
            x25519: [2; 32],
            swarm_id: None,
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(&"01".repeat(32)));
        assert_eq!(serde_json::from_str::<Snode>(&json).unwrap(), s);
    }
}
