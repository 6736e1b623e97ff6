//! `oxend_request`: the two oxend endpoints snodes pass through (network.md §1.2, §6.2):
//! `get_service_nodes` from the registry and `ons_resolve` from registered names.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead as _, KeyInit as _};
use serde_json::{Map, Value, json};

use super::params::ParseError;
use super::{RpcResponse, with_misc};
use crate::error::TestnetError;
use crate::network::{Network, OnsRecord};
use crate::node::{Node, lock};

type P<'a> = &'a Map<String, Value>;

/// `oxend_request`.
pub(crate) fn request(net: &Network, node: &Node, p: P<'_>) -> Result<RpcResponse, ParseError> {
    let endpoint = p.get("endpoint").and_then(Value::as_str).unwrap_or("");
    let inner = p.get("params");
    let result = match endpoint {
        "get_service_nodes" => {
            let fields = inner.and_then(|v| v.get("fields"));
            let states: Vec<Value> = net
                .registered()
                .map(|n| net.service_node_state(n, fields))
                .collect();
            json!({"service_node_states": states, "height": net.settings.height,
                   "status": "OK"})
        }
        "ons_resolve" => {
            let kind = inner.and_then(|v| v.get("type")).and_then(Value::as_u64);
            if kind.unwrap_or(0) != 0 {
                return Ok(RpcResponse::text(400, "Unknown oxend error"));
            }
            let hash = inner
                .and_then(|v| v.get("name_hash"))
                .and_then(Value::as_str)
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                .and_then(|b| <[u8; 32]>::try_from(b).ok());
            let Some(hash) = hash else {
                return Ok(RpcResponse::text(400, "Unknown oxend error"));
            };
            match net.ons_record(&hash) {
                Some(r) => json!({"encrypted_value": hex::encode(r.encrypted_value),
                                  "nonce": hex::encode(r.nonce)}),
                // oxend answers an unknown name with an empty result.
                None => json!({}),
            }
        }
        _ => {
            return Err(ParseError(
                "invalid oxend endpoint: expected get_service_nodes or ons_resolve".into(),
            ));
        }
    };
    let mut map = Map::new();
    map.insert("result".into(), result);
    Ok(RpcResponse::ok(with_misc(map, net.node_time(node))))
}

/// Registers `name` → `session_id` the way ONS stores it: XChaCha20-Poly1305 under the key
/// BLAKE2b-256(message = name, key = BLAKE2b-256(name)) with a random nonce.
pub(crate) fn register_ons(
    net: &Network,
    name: &str,
    session_id: &[u8; 33],
) -> Result<(), TestnetError> {
    let (name, name_hash) =
        session_net::rpc::ons_name_hash(name).map_err(|e| TestnetError::InvalidOnsName {
            reason: e.to_string(),
        })?;
    let key = zeroize::Zeroizing::new(
        session_crypto::blake2b(32, &name_hash, b"", b"", name.as_bytes()).map_err(|e| {
            TestnetError::InvalidOnsName {
                reason: e.to_string(),
            }
        })?,
    );
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| TestnetError::Random {
        reason: e.to_string(),
    })?;
    let cipher = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
        TestnetError::InvalidOnsName {
            reason: "key length".into(),
        }
    })?;
    let encrypted_value = cipher
        .encrypt(&nonce.into(), &session_id[..])
        .map_err(|_| TestnetError::InvalidOnsName {
            reason: "encryption failed".into(),
        })?;
    lock(&net.ons).insert(
        name_hash,
        OnsRecord {
            encrypted_value,
            nonce,
        },
    );
    Ok(())
}
