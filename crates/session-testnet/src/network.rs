//! The state every node shares: the registry of snodes and their swarms, the clock, the
//! transports relays and proxies use, and the ONS records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use session_net::DirectTransport;

use crate::clock::NetClock;
use crate::node::{Node, lock};
use crate::storage::Account;

/// Storage-server version the nodes report (`info`, `storage_server_version`).
pub(crate) const VERSION: [u16; 3] = [2, 8, 0];
/// Hard fork the nodes report (`hf`).
pub(crate) const HARD_FORK: [u16; 2] = [19, 3];

/// Settings fixed when the network starts.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// How long a relay waits for the next snode (SS: 30 s).
    pub hop_timeout: Duration,
    /// How long the last snode waits for a server it proxies to (SS: 25 s).
    pub proxy_timeout: Duration,
    /// Proxy to hosts off loopback too (off by default: a test network never reaches out).
    pub proxy_any_host: bool,
    /// The block height the seed reports.
    pub height: u64,
}

/// An ONS record as oxend stores it: the Session ID encrypted under the name.
#[derive(Debug, Clone)]
pub(crate) struct OnsRecord {
    pub encrypted_value: Vec<u8>,
    pub nonce: [u8; 24],
}

/// What all nodes share.
#[derive(Debug)]
pub(crate) struct Network {
    pub nodes: Vec<Arc<Node>>,
    pub clock: NetClock,
    /// Snode to snode (self-signed certificates, like any client of snodes).
    pub relay: DirectTransport,
    /// Last hop to HTTP(S) servers (webpki roots for https).
    pub proxy: DirectTransport,
    pub ons: Mutex<HashMap<[u8; 32], OnsRecord>>,
    pub settings: Settings,
}

impl Network {
    /// The node's clock: the network's time plus its skew.
    pub(crate) fn node_time(&self, node: &Node) -> u64 {
        self.clock.now_ms(node.faults().skew_ms)
    }

    /// A registered snode by Ed25519 key (what a relay can reach).
    pub(crate) fn find_registered(&self, ed25519: &[u8; 32]) -> Option<&Arc<Node>> {
        self.nodes
            .iter()
            .find(|n| n.ed25519() == ed25519 && n.is_registered())
    }

    /// The swarm of an account among the registered snodes' swarms (network.md §5.1, the
    /// snodes' own rule).
    pub(crate) fn swarm_of(&self, account: &Account) -> Option<u64> {
        let key: &[u8; 32] = account.last_chunk()?;
        let ids: Vec<u64> = self
            .nodes
            .iter()
            .filter(|n| n.is_registered())
            .map(|n| n.swarm_id())
            .collect();
        session_net::swarm::swarm_for(key, &ids)
    }

    /// The snodes serving swarm `id`: registered, in it, and not refusing it (a 421 fault).
    pub(crate) fn members(&self, id: u64) -> Vec<Arc<Node>> {
        self.nodes
            .iter()
            .filter(|n| n.is_registered() && n.swarm_id() == id && !n.faults().refuses_swarm())
            .cloned()
            .collect()
    }

    /// Whether `node` stores `account`'s messages.
    pub(crate) fn serves(&self, node: &Node, account: &Account) -> bool {
        self.swarm_of(account) == Some(node.swarm_id())
            && node.is_registered()
            && !node.faults().refuses_swarm()
    }

    /// The members of `account`'s swarm.
    pub(crate) fn swarm_members(&self, account: &Account) -> Vec<Arc<Node>> {
        self.swarm_of(account)
            .map(|id| self.members(id))
            .unwrap_or_default()
    }

    /// `get_swarm`'s answer (also the body of a 421): `{"snodes": […], "swarm": hex id}`.
    pub(crate) fn swarm_json(&self, account: &Account) -> Map<String, Value> {
        let id = self.swarm_of(account);
        let snodes: Vec<Value> = id
            .map(|id| self.members(id))
            .unwrap_or_default()
            .iter()
            .map(|n| swarm_entry(n))
            .collect();
        // SS writes an unknown swarm as INVALID_SWARM_ID = u64::MAX.
        let mut map = Map::new();
        map.insert("snodes".into(), Value::Array(snodes));
        map.insert(
            "swarm".into(),
            Value::String(format!("{:x}", id.unwrap_or(u64::MAX))),
        );
        map
    }

    /// One `service_node_states` entry of the seed's or `oxend_request`'s answer, with only
    /// the requested fields (all of them if `fields` is not an object).
    pub(crate) fn service_node_state(&self, node: &Node, fields: Option<&Value>) -> Value {
        let all = json!({
            "public_ip": node.ip.to_string(),
            "storage_port": node.port,
            "storage_lmq_port": 0,
            "pubkey_ed25519": hex::encode(node.ed25519()),
            "pubkey_x25519": hex::encode(node.x25519_public()),
            "service_node_pubkey": hex::encode(node.ed25519()),
            "swarm_id": node.swarm_id(),
            "storage_server_version": VERSION,
            "requested_unlock_height": 0,
            "height": self.settings.height,
            "active": true,
        });
        match (fields.and_then(Value::as_object), all) {
            (Some(wanted), Value::Object(all)) => Value::Object(
                all.into_iter()
                    .filter(|(k, _)| wanted.get(k).and_then(Value::as_bool) == Some(true))
                    .collect(),
            ),
            (_, all) => all,
        }
    }

    /// The registered snodes.
    pub(crate) fn registered(&self) -> impl Iterator<Item = &Arc<Node>> {
        self.nodes.iter().filter(|n| n.is_registered())
    }

    /// The ONS record for a name hash.
    pub(crate) fn ons_record(&self, name_hash: &[u8; 32]) -> Option<OnsRecord> {
        lock(&self.ons).get(name_hash).cloned()
    }
}

/// A `get_swarm` entry (SS `swarm_to_json`). Our snodes have no separate legacy key: the
/// Ed25519 key doubles as `pubkey_legacy`, as for snodes registered since the Ed25519 switch.
pub(crate) fn swarm_entry(node: &Node) -> Value {
    json!({
        "address": format!("{}.snode", base32z(node.ed25519())),
        "pubkey_legacy": hex::encode(node.ed25519()),
        "pubkey_x25519": hex::encode(node.x25519_public()),
        "pubkey_ed25519": hex::encode(node.ed25519()),
        "port": node.port.to_string(),
        "port_https": node.port,
        "port_omq": 0,
        "port_quic": 0,
        "ip": node.ip.to_string(),
    })
}

/// z-base-32 (the `.snode` address alphabet), most significant bits first, no padding.
pub(crate) fn base32z(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32z_encodes_five_bit_groups_most_significant_first() {
        // By hand from the alphabet: 11110|000(00) → "6y";
        // 11010|10001|11101|00000|0100(0) → "4t7ye" (also the z-base-32 spec's example).
        assert_eq!(base32z(&[0xf0]), "6y");
        assert_eq!(base32z(&[0xd4, 0x7a, 0x04]), "4t7ye");
        assert_eq!(base32z(&[0u8; 32]).len(), 52);
    }
}
