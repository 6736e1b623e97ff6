//! The storage RPC core (network.md §4; SS `request_handler.cpp`): the JSON body
//! `{"method", "params"}` of `/storage_rpc/v1` and of a final onion layer → a status and a
//! body. Synchronous: replication to the swarm happens in-process.

mod oxend;
mod params;
mod storage;

use serde_json::{Map, Value, json};

use crate::fault::rpc_status_text;
use crate::network::{HARD_FORK, Network, VERSION};
use crate::node::Node;
use params::ParseError;

pub(crate) use oxend::register_ons;

/// Most subrequests a `batch` or `sequence` may hold (SS `BATCH_REQUEST_MAX`).
const BATCH_MAX: usize = 20;

/// An RPC body: JSON, or a plain-text error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Json(Value),
    Text(String),
}

/// An RPC's answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RpcResponse {
    pub status: u16,
    pub body: Body,
}

impl RpcResponse {
    pub(crate) fn json(status: u16, value: Value) -> Self {
        Self {
            status,
            body: Body::Json(value),
        }
    }

    pub(crate) fn ok(value: Value) -> Self {
        Self::json(200, value)
    }

    pub(crate) fn text(status: u16, text: impl Into<String>) -> Self {
        Self {
            status,
            body: Body::Text(text.into()),
        }
    }

    /// The body as sent over HTTP (JSON text or the plain text).
    pub(crate) fn body_text(&self) -> String {
        match &self.body {
            Body::Json(v) => v.to_string(),
            Body::Text(t) => t.clone(),
        }
    }

    /// The body as it appears inside a batch result or an onion reply with `"json": true`.
    pub(crate) fn body_value(&self) -> Value {
        match &self.body {
            Body::Json(v) => v.clone(),
            Body::Text(t) => Value::String(t.clone()),
        }
    }
}

impl From<ParseError> for RpcResponse {
    fn from(e: ParseError) -> Self {
        Self::text(400, format!("invalid request: {}", e.0))
    }
}

/// Adds the node time `t` and hard fork `hf` every answer carries.
pub(crate) fn with_misc(mut map: Map<String, Value>, now_ms: u64) -> Value {
    map.insert("t".into(), json!(now_ms));
    map.insert("hf".into(), json!(HARD_FORK));
    Value::Object(map)
}

/// Runs the JSON request body `{"method": …, "params": {…}}` (a `"jsonrpc"` member is
/// ignored) on `node`.
pub(crate) fn handle_body(net: &Network, node: &Node, body: &[u8]) -> RpcResponse {
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return RpcResponse::text(400, "invalid json");
    };
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return RpcResponse::text(400, "invalid json: no `method` field");
    };
    let Some(params) = request.get("params").and_then(Value::as_object) else {
        return RpcResponse::text(400, "invalid json: no `params` field");
    };
    dispatch(net, node, method, params, true)
}

/// Runs one method. `top` is false inside a batch, where batches cannot nest.
pub(crate) fn dispatch(
    net: &Network,
    node: &Node,
    method: &str,
    params: &Map<String, Value>,
    top: bool,
) -> RpcResponse {
    if let Some(status) = node.faults().rpc_status() {
        return RpcResponse::text(status, rpc_status_text(status));
    }
    let result = match method {
        "info" => Ok(info(net, node)),
        "get_swarm" | "get_snodes_for_pubkey" => get_swarm(net, node, params),
        "store" => storage::store(net, node, params),
        "retrieve" => storage::retrieve(net, node, params),
        "delete" => storage::delete(net, node, params),
        "delete_all" => storage::delete_all(net, node, params),
        "oxend_request" => oxend::request(net, node, params),
        "batch" | "sequence" if top => batch(net, node, params, method == "sequence"),
        "batch" | "sequence" => Err(ParseError("batch requests cannot be nested".into())),
        other => Ok(RpcResponse::text(
            400,
            format!("no method {}", other.chars().take(64).collect::<String>()),
        )),
    };
    result.unwrap_or_else(RpcResponse::from)
}

/// `info`: version and time.
fn info(net: &Network, node: &Node) -> RpcResponse {
    let now = net.node_time(node);
    let mut map = Map::new();
    map.insert("version".into(), json!(VERSION));
    map.insert("timestamp".into(), json!(now));
    RpcResponse::ok(with_misc(map, now))
}

/// `get_swarm`: the swarm of any account, asked of any node.
fn get_swarm(
    net: &Network,
    node: &Node,
    p: &Map<String, Value>,
) -> Result<RpcResponse, ParseError> {
    let account = params::account(p)?;
    Ok(RpcResponse::ok(with_misc(
        net.swarm_json(&account),
        net.node_time(node),
    )))
}

/// `batch` (every subrequest runs) and `sequence` (stops after the first non-2xx): the
/// answer is 200 with one `{"code", "body"}` per subrequest run.
fn batch(
    net: &Network,
    node: &Node,
    p: &Map<String, Value>,
    sequence: bool,
) -> Result<RpcResponse, ParseError> {
    let Some(requests) = p.get("requests").and_then(Value::as_array) else {
        return Err(ParseError("Required field 'requests' missing".into()));
    };
    if requests.is_empty() || requests.len() > BATCH_MAX {
        return Err(ParseError(format!(
            "batch requests must have 1 to {BATCH_MAX} subrequests"
        )));
    }
    let mut subrequests = Vec::with_capacity(requests.len());
    for r in requests {
        let method = r.get("method").and_then(Value::as_str);
        let params = r.get("params").and_then(Value::as_object);
        match (method, params) {
            (Some(m), Some(p)) => subrequests.push((m, p)),
            _ => {
                return Err(ParseError(
                    "every subrequest needs a method and a params object".into(),
                ));
            }
        }
    }
    let mut results = Vec::with_capacity(subrequests.len());
    for (method, params) in subrequests {
        let r = dispatch(net, node, method, params, false);
        let failed = !(200..300).contains(&r.status);
        results.push(json!({"code": r.status, "body": r.body_value()}));
        if sequence && failed {
            break;
        }
    }
    Ok(RpcResponse::ok(json!({ "results": results })))
}
