//! Seed nodes: where a client without a pool gets its first snode list (network.md §1.1).

use serde_json::{Value, json};
use url::Url;

use super::{Snode, SnodeError};
use crate::danger::{self, CertPin};
use crate::transport::{DirectTransport, HttpRequest, Transport};

/// Which seeds to ask and how to trust them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeedConfig {
    /// Seed base URLs; `json_rpc` is appended.
    pub urls: Vec<Url>,
    /// Certificate pins for `https` seeds (SHA-256 of DER). Empty: `https` seeds are checked
    /// against the webpki roots. `http` seeds need none.
    pub pins: Vec<CertPin>,
    /// Accept any seed certificate (still checking handshake signatures), as Session
    /// Desktop does for a local devnet. Only for local test networks.
    pub accept_any_certificate: bool,
}

impl SeedConfig {
    /// The three mainnet seeds on port 4443 with their pinned certificates.
    pub fn mainnet() -> Self {
        Self {
            urls: danger::MAINNET_SEEDS
                .iter()
                .filter_map(|u| u.parse().ok())
                .collect(),
            pins: danger::mainnet_seed_pins(),
            accept_any_certificate: false,
        }
    }

    /// Custom seeds (a local test network, for instance), trusted through `pins` when
    /// given.
    pub fn custom(urls: Vec<Url>, pins: Vec<CertPin>) -> Self {
        Self {
            urls,
            pins,
            accept_any_certificate: false,
        }
    }

    /// Seeds of a local test network: `http` seeds as they are, `https` seeds with any
    /// certificate (see [`SeedConfig::accept_any_certificate`]).
    pub fn local(urls: Vec<Url>) -> Self {
        Self {
            urls,
            pins: Vec::new(),
            accept_any_certificate: true,
        }
    }

    /// A transport for talking to these seeds: pinned TLS if pins are configured.
    pub fn transport(&self) -> Result<DirectTransport, SnodeError> {
        let builder = DirectTransport::builder().timeout(std::time::Duration::from_secs(5));
        let builder = if self.accept_any_certificate {
            builder.tls_config(danger::snode_tls_config())
        } else if self.pins.is_empty() {
            builder
        } else {
            builder.tls_config(danger::pinned_tls_config(self.pins.clone()))
        };
        Ok(builder.build()?)
    }

    /// Asks each seed in turn (each with a 5 s timeout) and returns the first usable list.
    pub async fn fetch(&self, transport: &dyn Transport) -> Result<Vec<Snode>, SnodeError> {
        let mut last = SnodeError::SeedsUnreachable {
            reason: "no seed configured".into(),
        };
        for url in &self.urls {
            let endpoint = url.join("json_rpc").map_err(|e| SnodeError::Decode {
                what: "seed URL",
                reason: e.to_string(),
            })?;
            let request = HttpRequest::post(endpoint, get_n_service_nodes_body()).with_header(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            let outcome = match transport.send(request).await {
                Ok(r) if r.status == 200 => parse_service_nodes(&r.body, r.content_type()),
                Ok(r) => Err(SnodeError::from_status(r.status.as_u16(), &r.body)),
                Err(e) => Err(e.into()),
            };
            match outcome {
                Ok(nodes) if !nodes.is_empty() => return Ok(nodes),
                Ok(_) => {
                    last = SnodeError::SeedsUnreachable {
                        reason: format!("{url} returned no snodes"),
                    }
                }
                Err(e) => {
                    tracing::debug!(seed = %url, error = %e, "seed failed");
                    last = SnodeError::SeedsUnreachable {
                        reason: format!("{url}: {e}"),
                    };
                }
            }
        }
        Err(last)
    }
}

/// The JSON-RPC body of `get_n_service_nodes` with the fields we need (no `limit`: clients
/// prune cached swarms against the full list).
pub fn get_n_service_nodes_body() -> Vec<u8> {
    json!({
        "jsonrpc": "2.0",
        "method": "get_n_service_nodes",
        "params": {
            "active_only": true,
            "fields": {
                "public_ip": true,
                "storage_port": true,
                "pubkey_ed25519": true,
                "pubkey_x25519": true,
                "swarm_id": true,
                "storage_server_version": true,
                "requested_unlock_height": true
            }
        }
    })
    .to_string()
    .into_bytes()
}

/// Parses a seed's (or `oxend_request get_service_nodes`') answer,
/// `{"result":{"service_node_states":[…]}}`, skipping nodes without an address. A seed must
/// answer `Content-Type: application/json` exactly (SD rejects anything else); pass `None`
/// to skip that check.
pub fn parse_service_nodes(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Vec<Snode>, SnodeError> {
    if let Some(ct) = content_type
        && ct != "application/json"
    {
        return Err(SnodeError::Decode {
            what: "seed reply",
            reason: format!("content type {ct:?} is not application/json"),
        });
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| SnodeError::Decode {
        what: "seed reply",
        reason: e.to_string(),
    })?;
    let states = value
        .pointer("/result/service_node_states")
        .and_then(Value::as_array)
        .ok_or(SnodeError::Decode {
            what: "seed reply",
            reason: "no result.service_node_states array".into(),
        })?;
    let mut nodes = Vec::with_capacity(states.len());
    for entry in states {
        if let Some(node) = Snode::from_json(entry)? {
            nodes.push(node);
        }
    }
    Ok(nodes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn request_asks_for_the_needed_fields_without_limit() {
        let v: Value = serde_json::from_slice(&get_n_service_nodes_body()).unwrap();
        assert_eq!(v["method"], "get_n_service_nodes");
        assert_eq!(v["params"]["fields"]["swarm_id"], true);
        assert!(v["params"].get("limit").is_none());
    }

    #[test]
    fn parses_states_and_rejects_wrong_content_type() {
        let body = json!({"result":{"service_node_states":[
            {"public_ip":"1.1.1.1","storage_port":1,"pubkey_ed25519":"01".repeat(32),"pubkey_x25519":"02".repeat(32),"swarm_id":5},
            {"public_ip":"","storage_port":1}
        ],"height":1}})
        .to_string();
        let nodes = parse_service_nodes(body.as_bytes(), Some("application/json")).unwrap();
        assert_eq!(nodes.len(), 1);
        assert!(matches!(
            parse_service_nodes(body.as_bytes(), Some("text/html")),
            Err(SnodeError::Decode { .. })
        ));
        assert!(matches!(
            parse_service_nodes(b"{}", None),
            Err(SnodeError::Decode { .. })
        ));
    }

    #[test]
    fn mainnet_config_has_three_pinned_seeds() {
        let c = SeedConfig::mainnet();
        assert_eq!(c.urls.len(), 3);
        assert_eq!(c.urls[0].port(), Some(4443));
        assert_eq!(c.pins.len(), 3);
    }
}
