//! The seed node: `POST /json_rpc` with oxend's `get_n_service_nodes` (network.md §1.1),
//! answered from the registry with `Content-Type: application/json` exactly.

use serde_json::{Value, json};

use crate::network::Network;
use crate::server::HttpReply;

/// Handles a JSON-RPC 2.0 body.
pub(crate) fn handle(net: &Network, body: &[u8]) -> HttpReply {
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return HttpReply::json(
            200,
            &json!({"jsonrpc": "2.0", "id": null,
                    "error": {"code": -32700, "message": "Parse error"}}),
        );
    };
    let id = request.get("id").cloned().unwrap_or(json!("0"));
    let method = request.get("method").and_then(Value::as_str).unwrap_or("");
    let params = request.get("params");
    match method {
        "get_n_service_nodes" | "get_service_nodes" => {
            let fields = params.and_then(|p| p.get("fields"));
            let mut states: Vec<Value> = net
                .registered()
                .map(|n| net.service_node_state(n, fields))
                .collect();
            // `limit` asks for a random subset (clients should not send it; see §1.1).
            if let Some(limit) = params
                .and_then(|p| p.get("limit"))
                .and_then(Value::as_u64)
                .and_then(|l| usize::try_from(l).ok())
                && limit > 0
                && limit < states.len()
            {
                let mut r = [0u8; 8];
                if getrandom::fill(&mut r).is_ok() {
                    let len = states.len();
                    states.rotate_left((u64::from_le_bytes(r) % len as u64) as usize);
                }
                states.truncate(limit);
            }
            HttpReply::json(
                200,
                &json!({"jsonrpc": "2.0", "id": id, "result": {
                    "service_node_states": states,
                    "height": net.settings.height,
                    "status": "OK",
                }}),
            )
        }
        _ => HttpReply::json(
            200,
            &json!({"jsonrpc": "2.0", "id": id,
                    "error": {"code": -32601, "message": "Method not found"}}),
        ),
    }
}
