//! `store`, `retrieve`, `delete`, `delete_all` (network.md §4.2; checks, limits and texts
//! as in SS `request_handler.cpp`). Swarm-wide requests run on every member in-process and
//! answer per member under `"swarm"`, as the storage server's recursive requests do.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::params::{self, ParseError, ns_text, signature_valid};
use super::{RpcResponse, with_misc};
use crate::network::Network;
use crate::node::{Counters, Node};
use crate::storage::{Account, RETRIEVE_MAX_SIZE, StoredMessage, message_hash};

type P<'a> = &'a Map<String, Value>;

const SECOND: u64 = 1000;
/// TTL bounds: 10 s to 14 days for public inboxes, 30 days for the owner's namespaces.
const TTL_MIN: u64 = 10 * SECOND;
const TTL_MAX_PUBLIC: u64 = 14 * 24 * 3600 * SECOND;
const TTL_MAX_PRIVATE: u64 = 30 * 24 * 3600 * SECOND;
/// A store may be this far in the future, and its expiry this far in the past.
const STORE_TOLERANCE: u64 = 10 * SECOND;
/// Signed timestamps must be this close to the node's time.
const SIGNATURE_TOLERANCE: u64 = 60 * SECOND;
/// Largest message (decoded bytes).
const MAX_MESSAGE: usize = 76_800;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// 421 with the right swarm (SS `handle_wrong_swarm`).
fn wrong_swarm(net: &Network, node: &Node, account: &Account) -> RpcResponse {
    Counters::bump(&node.counters.wrong_swarm);
    RpcResponse::json(421, with_misc(net.swarm_json(account), net.node_time(node)))
}

fn within(t: u64, now: u64, tolerance: u64) -> bool {
    t.abs_diff(now) <= tolerance
}

/// The 406 a signed request gets when its `timestamp` is more than 60 s from `now`.
fn stale(timestamp: u64, now: u64, answer: &str) -> Option<RpcResponse> {
    (!within(timestamp, now, SIGNATURE_TOLERANCE)).then(|| RpcResponse::text(406, answer))
}

/// The 401 a request gets when `signature` (by `account`, or the `pubkey_ed25519` it gives)
/// does not sign `text`.
fn unverified(
    p: P<'_>,
    account: &Account,
    signature: &[u8; 64],
    text: &str,
    answer: &str,
) -> Result<Option<RpcResponse>, ParseError> {
    let valid = signature_valid(
        account,
        params::ed25519_key(p)?.as_ref(),
        signature,
        text.as_bytes(),
    );
    Ok((!valid).then(|| RpcResponse::text(401, answer)))
}

/// Whether a member can take part in a swarm-wide request (a dead or failing member times
/// out, as its OMQ request would).
fn reachable(member: &Node) -> bool {
    let f = member.faults();
    !f.is_dead() && f.hop_status().is_none()
}

/// Runs `f` on every member of the swarm (the entry node first) and collects the per-member
/// results; unreachable members get `{"failed": true, "timeout": true}`. The status is 500
/// if every member failed (SS `reply_or_fail`).
fn on_swarm(
    net: &Network,
    entry: &Node,
    account: &Account,
    mut f: impl FnMut(&Node) -> Value,
) -> (u16, Map<String, Value>) {
    let mut members: Vec<Arc<Node>> = net.swarm_members(account);
    members.sort_by_key(|m| m.index != entry.index);
    let mut swarm = Map::new();
    let mut any_ok = false;
    for member in &members {
        let result = if member.index == entry.index || reachable(member) {
            f(member)
        } else {
            json!({"failed": true, "timeout": true})
        };
        any_ok |= result.get("failed").is_none();
        swarm.insert(hex::encode(member.ed25519()), result);
    }
    (if any_ok { 200 } else { 500 }, swarm)
}

/// `store`.
pub(crate) fn store(net: &Network, node: &Node, p: P<'_>) -> Result<RpcResponse, ParseError> {
    let account = params::account(p)?;
    if !net.serves(node, &account) {
        return Ok(wrong_swarm(net, node, &account));
    }
    let timestamp = params::req_u64(p, "timestamp")?;
    let expiry = match (params::opt_u64(p, "ttl")?, params::opt_u64(p, "expiry")?) {
        (Some(ttl), None) => timestamp.saturating_add(ttl),
        (None, Some(expiry)) => expiry,
        _ => {
            return Err(ParseError(
                "exactly one of 'ttl' and 'expiry' is required".into(),
            ));
        }
    };
    let namespace = params::namespace(p)?;
    let Some(data) = params::opt_str(p, "data")? else {
        return Err(ParseError("Required field 'data' missing".into()));
    };
    let Some(data) = params::decode_base64(data) else {
        return Err(ParseError("data is not base64".into()));
    };
    if data.len() > MAX_MESSAGE {
        return Ok(RpcResponse::text(413, "Message too large"));
    }
    let public = params::is_public_inbox(namespace);
    let ttl = expiry.checked_sub(timestamp);
    let max_ttl = if public {
        TTL_MAX_PUBLIC
    } else {
        TTL_MAX_PRIVATE
    };
    if !ttl.is_some_and(|t| (TTL_MIN..=max_ttl).contains(&t)) {
        return Ok(RpcResponse::text(403, "Provided expiry/TTL is not valid."));
    }
    let now = net.node_time(node);
    if timestamp > now.saturating_add(STORE_TOLERANCE)
        || expiry < now.saturating_sub(STORE_TOLERANCE)
    {
        return Ok(RpcResponse::text(406, "Timestamp error: check your clock"));
    }
    if !public {
        let Some(sig) = params::signature(p)? else {
            return Ok(RpcResponse::text(
                401,
                format!("store: signature required to store to namespace {namespace}"),
            ));
        };
        let sig_ts = params::opt_u64(p, "sig_timestamp")?.unwrap_or(timestamp);
        if let Some(refused) = stale(
            sig_ts,
            now,
            "store signature timestamp too far from current time",
        ) {
            return Ok(refused);
        }
        let text = format!("store{}{sig_ts}", ns_text(namespace));
        if let Some(refused) = unverified(
            p,
            &account,
            &sig,
            &text,
            "store signature verification failed",
        )? {
            return Ok(refused);
        }
    }
    let hash = message_hash(&account, namespace, &data);
    let (status, swarm) = on_swarm(net, node, &account, |member| {
        let outcome = member.store().store(
            &account,
            namespace,
            StoredMessage {
                hash: hash.clone(),
                timestamp_ms: timestamp,
                expiry_ms: expiry,
                data: data.clone(),
            },
        );
        let mut r = json!({
            "hash": hash,
            "signature": b64(&member.identity.sign(hash.as_bytes())),
            "expiry": outcome.expiry_ms,
        });
        if !outcome.new {
            r["already"] = json!(true);
        }
        if member.index == node.index {
            // SS also (by accident) puts the entry node's time inside its own entry.
            r["t"] = json!(now);
        }
        r
    });
    let mut map = Map::new();
    map.insert("swarm".into(), Value::Object(swarm));
    // Deprecated top-level hash, kept by SS for old clients.
    map.insert("hash".into(), json!(hash));
    Ok(RpcResponse::json(status, with_misc(map, now)))
}

/// `retrieve`.
pub(crate) fn retrieve(net: &Network, node: &Node, p: P<'_>) -> Result<RpcResponse, ParseError> {
    let account = params::account(p)?;
    if !net.serves(node, &account) {
        return Ok(wrong_swarm(net, node, &account));
    }
    let namespace = params::namespace(p)?;
    let now = net.node_time(node);
    let signature = params::signature(p)?;
    match signature {
        None if !params::retrieve_needs_no_auth(namespace) => {
            return Ok(RpcResponse::text(
                401,
                "retrieve: request signature required",
            ));
        }
        None => {}
        Some(sig) => {
            let ts = params::req_u64(p, "timestamp")?;
            if let Some(refused) = stale(ts, now, "retrieve timestamp too far from current time") {
                return Ok(refused);
            }
            let text = format!("retrieve{}{ts}", ns_text(namespace));
            if let Some(refused) = unverified(
                p,
                &account,
                &sig,
                &text,
                "retrieve signature verification failed",
            )? {
                return Ok(refused);
            }
        }
    }
    let last_hash = match params::opt_str(p, "last_hash")? {
        Some(h) => h,
        None => params::opt_str(p, "lastHash")?.unwrap_or(""),
    };
    // 0 means unspecified; with neither limit, 1/5 of the maximum; −n means 1/n of it.
    let max_count = params::opt_u64(p, "max_count")?
        .filter(|c| *c > 0)
        .map(|c| usize::try_from(c).unwrap_or(usize::MAX));
    let max_size = match params::opt_i64(p, "max_size")?.filter(|s| *s != 0) {
        None if max_count.is_none() => RETRIEVE_MAX_SIZE / 5,
        Some(n) if n < 0 => RETRIEVE_MAX_SIZE / n.unsigned_abs(),
        Some(n) => n.unsigned_abs().min(RETRIEVE_MAX_SIZE),
        None => RETRIEVE_MAX_SIZE,
    };
    let (messages, more) = node
        .store()
        .retrieve(&account, namespace, last_hash, max_count, max_size, now);
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({"hash": m.hash, "timestamp": m.timestamp_ms, "expiration": m.expiry_ms,
                   "data": b64(&m.data)})
        })
        .collect();
    let mut map = Map::new();
    map.insert("messages".into(), Value::Array(messages));
    map.insert("more".into(), json!(more));
    Ok(RpcResponse::ok(with_misc(map, now)))
}

/// `delete`: by hash, signed `"delete" ‖ hash…`; each member answers the hashes it deleted
/// (sorted) and signs `account ‖ requested… ‖ deleted…`. 404 when `required` and nothing was
/// deleted anywhere.
pub(crate) fn delete(net: &Network, node: &Node, p: P<'_>) -> Result<RpcResponse, ParseError> {
    let account = params::account(p)?;
    if !net.serves(node, &account) {
        return Ok(wrong_swarm(net, node, &account));
    }
    let messages = params::hashes(p, "messages")?;
    let Some(sig) = params::signature(p)? else {
        return Err(ParseError("Required field 'signature' missing".into()));
    };
    let text = format!("delete{}", messages.concat());
    if let Some(refused) = unverified(
        p,
        &account,
        &sig,
        &text,
        "delete_msgs signature verification failed",
    )? {
        return Ok(refused);
    }
    let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
    let account_hex = hex::encode(account);
    let mut deleted_any = false;
    let (status, swarm) = on_swarm(net, node, &account, |member| {
        let mut deleted = member.store().delete_by_hash(&account, &messages);
        deleted.sort();
        deleted_any |= !deleted.is_empty();
        let proof = format!("{account_hex}{}{}", messages.concat(), deleted.concat());
        json!({"deleted": deleted, "signature": b64(&member.identity.sign(proof.as_bytes()))})
    });
    let status = if status == 200 && required && !deleted_any {
        404
    } else {
        status
    };
    let mut map = Map::new();
    map.insert("swarm".into(), Value::Object(swarm));
    Ok(RpcResponse::json(
        status,
        with_misc(map, net.node_time(node)),
    ))
}

/// `delete_all`: every message of a namespace (or `"all"`), signed
/// `"delete_all" ‖ ns ‖ timestamp` with the timestamp within 60 s.
pub(crate) fn delete_all(net: &Network, node: &Node, p: P<'_>) -> Result<RpcResponse, ParseError> {
    let account = params::account(p)?;
    if !net.serves(node, &account) {
        return Ok(wrong_swarm(net, node, &account));
    }
    let namespace = params::namespace_or_all(p)?;
    let timestamp = params::req_u64(p, "timestamp")?;
    let Some(sig) = params::signature(p)? else {
        return Err(ParseError("Required field 'signature' missing".into()));
    };
    let now = net.node_time(node);
    if let Some(refused) = stale(
        timestamp,
        now,
        "delete_all timestamp too far from current time",
    ) {
        return Ok(refused);
    }
    let ns_sig = namespace.map_or_else(|| "all".to_owned(), ns_text);
    let text = format!("delete_all{ns_sig}{timestamp}");
    if let Some(refused) = unverified(
        p,
        &account,
        &sig,
        &text,
        "delete_all signature verification failed",
    )? {
        return Ok(refused);
    }
    let account_hex = hex::encode(account);
    let (status, swarm) = on_swarm(net, node, &account, |member| {
        let mut deleted = member.store().delete_all(&account, namespace);
        deleted.sort_by(|a, b| a.1.cmp(&b.1));
        let sorted: String = deleted.iter().map(|(_, h)| h.as_str()).collect();
        let proof = format!("{account_hex}{timestamp}{sorted}");
        let listed = match namespace {
            Some(_) => json!(deleted.iter().map(|(_, h)| h).collect::<Vec<_>>()),
            None => {
                let mut by_ns = Map::new();
                for (ns, h) in &deleted {
                    if let Value::Array(list) = by_ns
                        .entry(ns.to_string())
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        list.push(json!(h));
                    }
                }
                Value::Object(by_ns)
            }
        };
        json!({"deleted": listed, "signature": b64(&member.identity.sign(proof.as_bytes()))})
    });
    let mut map = Map::new();
    map.insert("swarm".into(), Value::Object(swarm));
    Ok(RpcResponse::json(status, with_misc(map, now)))
}
