//! `POST /onion_req/v2`: what a snode does with an onion layer (network.md §3.5; SS
//! `onion_processing.cpp`, `request_handler.cpp`). The layer crypto and classification are
//! session-net's and session-crypto's; this module adds the snode's side effects.
//!
//! | outcome | answer |
//! |---|---|
//! | frame or routing JSON unreadable | 400 `Error parsing onion request: …` (plain) |
//! | `hop_no` over 15 | 400 `onion request max path length exceeded` (plain) |
//! | layer does not decrypt | 400 `Invalid ciphertext` (plain) |
//! | inner JSON unreadable | 200, `{"status":400,"body":"Invalid json"}` encrypted with this layer's key |
//! | final destination | 200, `base64(Enc({"body": RPC answer as a string, "status": code}))` |
//! | relay, next snode unknown | 502 `Next node not found: <ed25519 hex>` (plain) |
//! | relay | the next snode's status (codes outside SS `http::from_code` become 500) and body |
//! | relay, next snode silent | 504 `Request time out` (plain) |
//! | proxy, target refused | 200, `{"status":400,"body":"Invalid url"}` encrypted with this layer's key |
//! | proxy | the server's status and body, untouched; 502 (connection) or 504 (timeout) |

use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use session_crypto::onion::{EncType, HopCipher};
use session_net::onion::{self, HopInstruction, MAX_HOPS, Protocol};
use session_net::{HttpRequest, Transport, TransportError};

use crate::network::Network;
use crate::node::{Counters, Node};
use crate::rpc::{self, Body, RpcResponse};
use crate::server::HttpReply;

/// Handles one `/onion_req/v2` body.
pub(crate) async fn handle(net: &Arc<Network>, node: &Arc<Node>, body: &[u8]) -> HttpReply {
    Counters::bump(&node.counters.onion_requests);
    let layer = match Layer::parse(body) {
        Ok(layer) => layer,
        Err(reply) => return reply,
    };
    if layer.hop_no > MAX_HOPS as u64 {
        return HttpReply::text(400, "onion request max path length exceeded");
    }
    let Ok(cipher) = HopCipher::server(&node.x25519, &layer.ephemeral_key, layer.enc) else {
        return HttpReply::text(400, "Invalid ciphertext");
    };
    let Ok(plaintext) = cipher.decrypt(layer.ciphertext) else {
        return HttpReply::text(400, "Invalid ciphertext");
    };
    match onion::classify(plaintext) {
        Ok(HopInstruction::Final { body, json, base64 }) => {
            Counters::bump(&node.counters.onion_rpcs);
            let response = rpc::handle_body(net, node, &body);
            wrap(&cipher, &response, json, base64)
        }
        Ok(HopInstruction::Relay {
            next_ed25519,
            ephemeral_key,
            enc_type,
            ciphertext,
        }) => {
            relay(
                net,
                node,
                &next_ed25519,
                &ephemeral_key,
                enc_type,
                &ciphertext,
                layer.hop_no,
            )
            .await
        }
        Ok(HopInstruction::Server {
            host,
            port,
            protocol,
            target,
            payload,
        }) => {
            if !onion::target_allowed(&target) {
                return wrap(&cipher, &RpcResponse::text(400, "Invalid url"), false, true);
            }
            proxy(net, node, &host, port, protocol, &target, payload).await
        }
        // Unreadable inner JSON (or an instruction this snode does not know).
        _ => wrap(
            &cipher,
            &RpcResponse::text(400, "Invalid json"),
            false,
            true,
        ),
    }
}

/// The outer frame: ciphertext and routing metadata.
struct Layer<'a> {
    ciphertext: &'a [u8],
    ephemeral_key: [u8; 32],
    enc: EncType,
    hop_no: u64,
}

impl<'a> Layer<'a> {
    fn parse(body: &'a [u8]) -> Result<Self, HttpReply> {
        let fail = |why: &str| HttpReply::text(400, format!("Error parsing onion request: {why}"));
        let (ciphertext, meta) = onion::parse_frame(body).map_err(|e| fail(&e.to_string()))?;
        let Ok(Value::Object(meta)) = serde_json::from_slice::<Value>(meta) else {
            return Err(fail("metadata is not a JSON object"));
        };
        let mut ephemeral_key = [0u8; 32];
        let key = meta.get("ephemeral_key").and_then(Value::as_str);
        if key.is_none_or(|k| hex::decode_to_slice(k, &mut ephemeral_key).is_err()) {
            return Err(fail("missing or invalid ephemeral_key"));
        }
        let enc = match meta.get("enc_type") {
            None | Some(Value::Null) => EncType::AesGcm,
            Some(Value::String(name)) => name.parse().map_err(|_| fail("unknown enc_type"))?,
            Some(_) => return Err(fail("invalid enc_type")),
        };
        let hop_no = meta.get("hop_no").and_then(Value::as_u64).unwrap_or(0);
        Ok(Self {
            ciphertext,
            ephemeral_key,
            enc,
            hop_no,
        })
    }
}

/// The destination's answer (SS `wrap_proxy_response`): `{"body", "status"}` with the body
/// as a string (or embedded if `json` and it is JSON), encrypted with the layer's key,
/// base64 unless `base64` is false, with HTTP 200.
fn wrap(cipher: &HopCipher, response: &RpcResponse, json: bool, base64: bool) -> HttpReply {
    let body = match (&response.body, json) {
        (Body::Json(v), true) => v.clone(),
        _ => Value::String(response.body_text()),
    };
    let mut map = Map::new();
    map.insert("body".into(), body);
    map.insert("status".into(), json!(response.status));
    let plaintext = Value::Object(map).to_string();
    let Ok(sealed) = cipher.encrypt(plaintext.as_bytes()) else {
        return HttpReply::text(500, "Internal server error");
    };
    if base64 {
        HttpReply::text(
            200,
            base64::engine::general_purpose::STANDARD.encode(sealed),
        )
    } else {
        HttpReply::bytes(200, "application/octet-stream", sealed)
    }
}

/// Status codes that survive a snode-to-snode hop (SS `http::from_code`); others become 500.
fn relayable(status: u16) -> u16 {
    match status {
        200 | 400 | 401 | 403 | 404 | 406 | 410 | 413 | 421 | 429 | 502 | 503 | 504 => status,
        _ => 500,
    }
}

async fn relay(
    net: &Arc<Network>,
    node: &Node,
    next: &[u8; 32],
    ephemeral_key: &[u8; 32],
    enc: EncType,
    ciphertext: &[u8],
    hop_no: u64,
) -> HttpReply {
    let Some(next_node) = net.find_registered(next) else {
        return HttpReply::text(502, format!("Next node not found: {}", hex::encode(next)));
    };
    Counters::bump(&node.counters.relayed);
    let meta = json!({
        "ephemeral_key": hex::encode(ephemeral_key),
        "enc_type": enc.as_str(),
        "hop_no": hop_no + 1,
    });
    let Ok(body) = onion::frame(ciphertext, meta.to_string().as_bytes()) else {
        return HttpReply::text(400, "Error parsing onion request: layer too large");
    };
    let url = format!("https://{}:{}/onion_req/v2", next_node.ip, next_node.port);
    let Ok(url) = url.parse() else {
        return HttpReply::text(500, "Internal server error");
    };
    let request = HttpRequest::post(url, body).with_timeout(net.settings.hop_timeout);
    match net.relay.send(request).await {
        Ok(r) => HttpReply::from_response(relayable(r.status.as_u16()), &r),
        Err(_) => HttpReply::text(504, "Request time out"),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn proxy(
    net: &Arc<Network>,
    node: &Node,
    host: &str,
    port: u16,
    protocol: Protocol,
    target: &str,
    payload: Vec<u8>,
) -> HttpReply {
    if !net.settings.proxy_any_host && !is_loopback(host) {
        return HttpReply::text(
            502,
            "Bad Gateway: this local network proxies only to loopback servers",
        );
    }
    Counters::bump(&node.counters.proxied);
    let host_part = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let port_part = if port == protocol.default_port() {
        String::new()
    } else {
        format!(":{port}")
    };
    let url = format!("{}://{host_part}{port_part}{target}", protocol.as_str());
    let Ok(url) = url.parse() else {
        return HttpReply::text(502, "Bad Gateway: invalid host");
    };
    let request = HttpRequest::post(url, payload)
        .with_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        )
        .with_timeout(net.settings.proxy_timeout);
    match net.proxy.send(request).await {
        Ok(r) => HttpReply::from_response(r.status.as_u16(), &r),
        Err(e @ TransportError::Timeout { .. }) => HttpReply::text(504, e.to_string()),
        Err(e) => HttpReply::text(502, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_statuses_become_500_across_a_hop() {
        assert_eq!(relayable(421), 421);
        assert_eq!(relayable(425), 500);
        assert_eq!(relayable(201), 500);
        assert_eq!(relayable(504), 504);
    }

    #[test]
    fn only_loopback_hosts_count_as_local() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("127.9.8.7"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("LOCALHOST"));
        assert!(!is_loopback("10.0.0.1"));
        assert!(!is_loopback("example.org"));
    }
}
