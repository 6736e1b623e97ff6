//! Typed snode RPC (network.md §4): request builders with the documented signatures, and
//! response parsers. Sans-I/O; [`crate::network::SnodeNetwork`] sends them.

use base64::Engine as _;
use blake2::digest::{FixedOutput, KeyInit, Update, consts::U32};
use chacha20poly1305::aead::Aead as _;
use serde_json::{Map, Value, json};
use session_crypto::Identity;

use crate::snode::{Snode, SnodeError};

/// The longest TTL for public-inbox namespaces (14 days, ms).
pub const MAX_TTL_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// A snode RPC: `{"method": …, "params": {…}}`, the body of a final onion layer or of
/// `POST /storage_rpc/v1`.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcRequest {
    /// The method name.
    pub method: String,
    /// The parameters.
    pub params: Value,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A namespace as it appears in signed text: `""` for 0, else its decimal value.
fn ns_text(namespace: i16) -> String {
    if namespace == 0 {
        String::new()
    } else {
        namespace.to_string()
    }
}

/// The `05…` id (66 hex) of an identity.
fn account_hex(identity: &Identity) -> String {
    hex::encode(identity.session_id().to_bytes())
}

impl RpcRequest {
    /// A request from parts.
    pub fn new(method: impl Into<String>, params: Value) -> Self {
        Self {
            method: method.into(),
            params,
        }
    }

    /// The JSON body.
    pub fn to_bytes(&self) -> Vec<u8> {
        json!({"method": self.method, "params": self.params})
            .to_string()
            .into_bytes()
    }

    /// `info`: the snode's version and time.
    pub fn info() -> Self {
        Self::new("info", json!({}))
    }

    /// `get_swarm` for a 33-byte account id (`05…`/`03…`).
    pub fn get_swarm(account: &[u8; 33]) -> Self {
        Self::new("get_swarm", json!({"pubkey": hex::encode(account)}))
    }

    /// `store` to a public-inbox namespace (divisible by 10; 0 = DMs), which is unsigned:
    /// anyone may deliver to an inbox. `data` is sent base64.
    pub fn store_unsigned(
        account: &[u8; 33],
        namespace: i16,
        data: &[u8],
        ttl_ms: u64,
        timestamp_ms: u64,
    ) -> Self {
        let mut params = json!({
            "pubkey": hex::encode(account),
            "timestamp": timestamp_ms,
            "ttl": ttl_ms,
            "data": b64(data),
        });
        if namespace != 0 {
            params["namespace"] = json!(namespace);
        }
        Self::new("store", params)
    }

    /// `store` to one of our own namespaces, signed `"store" ‖ ns ‖ timestamp`.
    pub fn store_signed(
        identity: &Identity,
        namespace: i16,
        data: &[u8],
        ttl_ms: u64,
        timestamp_ms: u64,
    ) -> Self {
        let sig = identity.sign(format!("store{}{timestamp_ms}", ns_text(namespace)).as_bytes());
        Self::new(
            "store",
            json!({
                "pubkey": account_hex(identity),
                "pubkey_ed25519": hex::encode(identity.ed25519_public_key()),
                "namespace": namespace,
                "timestamp": timestamp_ms,
                "sig_timestamp": timestamp_ms,
                "ttl": ttl_ms,
                "data": b64(data),
                "signature": b64(&sig),
            }),
        )
    }

    /// `retrieve` of our messages in `namespace` after `last_hash` (empty or `None` = from
    /// the start), signed `"retrieve" ‖ ns ‖ timestamp`.
    pub fn retrieve(
        identity: &Identity,
        namespace: i16,
        last_hash: Option<&str>,
        timestamp_ms: u64,
    ) -> Self {
        let sig = identity.sign(format!("retrieve{}{timestamp_ms}", ns_text(namespace)).as_bytes());
        Self::new(
            "retrieve",
            json!({
                "pubkey": account_hex(identity),
                "pubkey_ed25519": hex::encode(identity.ed25519_public_key()),
                "namespace": namespace,
                "last_hash": last_hash.unwrap_or(""),
                "timestamp": timestamp_ms,
                "signature": b64(&sig),
            }),
        )
    }

    /// `delete` of our messages by hash, signed `"delete" ‖ hash0 ‖ hash1 …`.
    pub fn delete(identity: &Identity, hashes: &[String]) -> Self {
        let sig = identity.sign(format!("delete{}", hashes.concat()).as_bytes());
        Self::new(
            "delete",
            json!({
                "pubkey": account_hex(identity),
                "pubkey_ed25519": hex::encode(identity.ed25519_public_key()),
                "messages": hashes,
                "signature": b64(&sig),
            }),
        )
    }

    /// `batch` of up to 20 subrequests, run in parallel by the snode; each gets its own
    /// result in [`parse_batch`] (network.md §4.1).
    pub fn batch(requests: &[RpcRequest]) -> Self {
        let subs: Vec<Value> = requests
            .iter()
            .map(|r| json!({"method": r.method, "params": r.params}))
            .collect();
        Self::new("batch", json!({"requests": subs}))
    }

    /// `oxend_request` `ons_resolve` for an ONS name hash (type 0: Session).
    pub fn ons_resolve(name_hash: &[u8; 32]) -> Self {
        Self::new(
            "oxend_request",
            json!({"endpoint": "ons_resolve", "params": {"type": 0, "name_hash": b64(name_hash)}}),
        )
    }

    /// `oxend_request` `get_service_nodes` (for pool refresh from snodes).
    pub fn get_service_nodes() -> Self {
        Self::new(
            "oxend_request",
            json!({"endpoint": "get_service_nodes", "params": {"active_only": true,
                "fields": {"public_ip": true, "storage_port": true, "pubkey_x25519": true,
                           "pubkey_ed25519": true, "swarm_id": true}}}),
        )
    }
}

fn decode_err(what: &'static str, reason: impl Into<String>) -> SnodeError {
    SnodeError::Decode {
        what,
        reason: reason.into(),
    }
}

fn object<'a>(value: &'a Value, what: &'static str) -> Result<&'a Map<String, Value>, SnodeError> {
    value
        .as_object()
        .ok_or_else(|| decode_err(what, "not a JSON object"))
}

/// The node's time (`t`, else `timestamp`) in a reply, if present.
pub fn node_time(value: &Value) -> Option<u64> {
    value
        .get("t")
        .or_else(|| value.get("timestamp"))
        .and_then(Value::as_u64)
}

/// The most subrequests one `batch` or `sequence` may carry.
pub const MAX_SUBREQUESTS: usize = 20;

/// The per-subrequest results of a `batch`/`sequence` answer, `{"results":[{"code","body"}]}`,
/// as `(code, body)`.
pub fn parse_batch(value: &Value) -> Result<Vec<(u16, Value)>, SnodeError> {
    const WHAT: &str = "batch reply";
    let results = value
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| decode_err(WHAT, "no results array"))?;
    results
        .iter()
        .map(|r| {
            let code = r
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| decode_err(WHAT, "result without a code"))?;
            Ok((code, r.get("body").cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// A batch whose subrequests all failed with the same status is that failure (libsession's
/// rule), so that 406/421 inside a batch are handled like the plain statuses.
pub(crate) fn batch_failure(value: &Value) -> Option<SnodeError> {
    let results = parse_batch(value).ok()?;
    let (code, body) = results.first()?;
    let all_same = results.iter().all(|(c, _)| c == code);
    if all_same && !(200..300).contains(code) {
        let body = match body {
            Value::String(s) => s.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        Some(SnodeError::from_status(*code, &body))
    } else {
        None
    }
}

/// `info`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InfoResponse {
    /// Storage server version, e.g. `[2, 8, 0]`.
    pub version: Vec<u64>,
    /// The node's time in ms.
    pub timestamp_ms: u64,
}

/// Parses `info`'s answer.
pub fn parse_info(value: &Value) -> Result<InfoResponse, SnodeError> {
    const WHAT: &str = "info reply";
    let map = object(value, WHAT)?;
    let version = map
        .get("version")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let timestamp_ms = node_time(value).ok_or_else(|| decode_err(WHAT, "no timestamp"))?;
    Ok(InfoResponse {
        version,
        timestamp_ms,
    })
}

/// Parses `get_swarm`'s answer (also the body of a 421) into its snodes.
pub fn parse_swarm(value: &Value) -> Result<Vec<Snode>, SnodeError> {
    const WHAT: &str = "get_swarm reply";
    let entries = value
        .get("snodes")
        .and_then(Value::as_array)
        .ok_or_else(|| decode_err(WHAT, "no snodes array"))?;
    let mut nodes = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some(node) = Snode::from_json(entry)? {
            nodes.push(node);
        }
    }
    Ok(nodes)
}

/// One stored message from `retrieve`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredMessage {
    /// The message hash (the next `last_hash`).
    pub hash: String,
    /// When it was stored (ms).
    pub timestamp_ms: u64,
    /// When it expires (ms; the field is `expiration`).
    pub expiration_ms: u64,
    /// The stored bytes (decoded from base64).
    pub data: Vec<u8>,
}

/// `retrieve`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RetrieveResponse {
    /// Messages in order; the last one's hash is the next `last_hash`.
    pub messages: Vec<StoredMessage>,
    /// Whether more are waiting.
    pub more: bool,
}

/// Parses `retrieve`'s answer.
pub fn parse_retrieve(value: &Value) -> Result<RetrieveResponse, SnodeError> {
    const WHAT: &str = "retrieve reply";
    let map = object(value, WHAT)?;
    let entries = map
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| decode_err(WHAT, "no messages array"))?;
    let mut messages = Vec::with_capacity(entries.len());
    for m in entries {
        let hash = m
            .get("hash")
            .and_then(Value::as_str)
            .ok_or_else(|| decode_err(WHAT, "message without hash"))?;
        let data = m.get("data").and_then(Value::as_str).unwrap_or("");
        let data = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| decode_err(WHAT, "message data is not base64"))?;
        messages.push(StoredMessage {
            hash: hash.to_owned(),
            timestamp_ms: m.get("timestamp").and_then(Value::as_u64).unwrap_or(0),
            expiration_ms: m
                .get("expiration")
                .or_else(|| m.get("expiry"))
                .and_then(Value::as_u64)
                .unwrap_or(0),
            data,
        });
    }
    Ok(RetrieveResponse {
        messages,
        more: map.get("more").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// `store`'s answer: the message hash and the per-member results.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreResponse {
    /// The hash (from the first member that reported one, or the deprecated top-level
    /// `hash`).
    pub hash: Option<String>,
    /// Members (Ed25519 hex) that stored it.
    pub stored_by: Vec<String>,
    /// Members that reported failure.
    pub failed: Vec<String>,
}

/// Parses `store`'s answer.
pub fn parse_store(value: &Value) -> Result<StoreResponse, SnodeError> {
    const WHAT: &str = "store reply";
    let map = object(value, WHAT)?;
    let mut out = StoreResponse {
        hash: map.get("hash").and_then(Value::as_str).map(str::to_owned),
        stored_by: Vec::new(),
        failed: Vec::new(),
    };
    if let Some(swarm) = map.get("swarm").and_then(Value::as_object) {
        for (member, result) in swarm {
            if result.get("failed").and_then(Value::as_bool) == Some(true) {
                out.failed.push(member.clone());
            } else {
                if out.hash.is_none() {
                    out.hash = result
                        .get("hash")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                out.stored_by.push(member.clone());
            }
        }
    }
    Ok(out)
}

/// The ONS name hash: BLAKE2b-256 of the lower-cased name, which must match
/// `^\w([\w-]*\w)?$` (network.md §6.2).
pub fn ons_name_hash(name: &str) -> Result<(String, [u8; 32]), SnodeError> {
    let name = name.to_lowercase();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let valid = !name.is_empty()
        && name.chars().next().is_some_and(word)
        && name.chars().last().is_some_and(word)
        && name.chars().all(|c| word(c) || c == '-');
    if !valid {
        return Err(SnodeError::Ons {
            reason: format!(
                "{:?} is not a valid ONS name",
                name.chars().take(64).collect::<String>()
            ),
        });
    }
    let mut h = blake2::Blake2b::<U32>::default();
    Update::update(&mut h, name.as_bytes());
    Ok((name, h.finalize_fixed().into()))
}

/// Decrypts an ONS record (`result.encrypted_value` and `result.nonce`, hex) into the
/// 33-byte Session ID: XChaCha20-Poly1305 with key = BLAKE2b-256(msg = name, key = name
/// hash).
pub fn decrypt_ons_record(name: &str, reply: &Value) -> Result<[u8; 33], SnodeError> {
    let ons = |reason: &str| SnodeError::Ons {
        reason: reason.to_owned(),
    };
    let (name, name_hash) = ons_name_hash(name)?;
    let result = reply.get("result").unwrap_or(reply);
    let ct = result
        .get("encrypted_value")
        .and_then(Value::as_str)
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| ons("no encrypted_value (name not registered?)"))?;
    let nonce: [u8; 24] = result
        .get("nonce")
        .and_then(Value::as_str)
        .and_then(|h| hex::decode(h).ok())
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| ons("no 24-byte nonce"))?;
    // Invariant: a 32-byte key is within BLAKE2b's 1..=64 byte key limit.
    #[allow(clippy::expect_used)]
    let mut mac = blake2::Blake2bMac::<U32>::new_from_slice(&name_hash).expect("32-byte key");
    Update::update(&mut mac, name.as_bytes());
    let key: [u8; 32] = mac.finalize_fixed().into();
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&key.into());
    let plain = cipher
        .decrypt(&nonce.into(), ct.as_slice())
        .map_err(|_| ons("record does not decrypt"))?;
    plain
        .try_into()
        .map_err(|_| ons("decrypted record is not a 33-byte Session ID"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity::from_seed(&[7u8; 16]).unwrap()
    }

    #[test]
    fn retrieve_signs_method_namespace_and_timestamp() {
        let id = identity();
        let r = RpcRequest::retrieve(&id, 0, Some("abc"), 1_700_000_000_000);
        let sig = base64::engine::general_purpose::STANDARD
            .decode(r.params["signature"].as_str().unwrap())
            .unwrap();
        let sig: [u8; 64] = sig.try_into().unwrap();
        // Namespace 0 is written as "" in the signed text.
        assert!(
            session_crypto::verify_ed25519(id.ed25519_public_key(), b"retrieve1700000000000", &sig)
                .is_ok()
        );
        let r = RpcRequest::retrieve(&id, -11, None, 5);
        let sig: [u8; 64] = base64::engine::general_purpose::STANDARD
            .decode(r.params["signature"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        assert!(
            session_crypto::verify_ed25519(id.ed25519_public_key(), b"retrieve-115", &sig).is_ok()
        );
        assert_eq!(r.params["last_hash"], "");
        assert_eq!(r.params["pubkey"].as_str().unwrap().len(), 66);
    }

    #[test]
    fn batches_wrap_subrequests_and_uniform_failures_become_errors() {
        let b = RpcRequest::batch(&[RpcRequest::info(), RpcRequest::get_swarm(&[5; 33])]);
        assert_eq!(b.params["requests"][1]["method"], "get_swarm");
        let ok = json!({"results":[{"code":200,"body":{"t":1}},{"code":421,"body":{"snodes":[]}}]});
        assert_eq!(parse_batch(&ok).unwrap()[1].0, 421);
        assert_eq!(batch_failure(&ok), None);
        let all = json!({"results":[{"code":421,"body":{"snodes":[]}},{"code":421,"body":{}}]});
        assert_eq!(
            batch_failure(&all),
            Some(SnodeError::WrongSwarm { swarm: vec![] })
        );
        let clock = json!({"results":[{"code":406,"body":"Timestamp error"}]});
        assert!(matches!(
            batch_failure(&clock),
            Some(SnodeError::ClockSkew { status: 406, .. })
        ));
        assert!(parse_batch(&json!({"results":[{"body":1}]})).is_err());
    }

    #[test]
    fn dm_store_is_unsigned_and_base64() {
        let r = RpcRequest::store_unsigned(&[5; 33], 0, b"hi", MAX_TTL_MS, 9);
        assert!(r.params.get("signature").is_none());
        assert!(r.params.get("namespace").is_none());
        assert_eq!(r.params["data"], "aGk=");
        let body: Value = serde_json::from_slice(&r.to_bytes()).unwrap();
        assert_eq!(body["method"], "store");
    }

    #[test]
    fn parses_retrieve_store_info_and_swarm() {
        let r = parse_retrieve(&json!({"messages":[{"hash":"h1","timestamp":1,"expiration":2,"data":"aGk="}],"more":true,"t":3})).unwrap();
        assert_eq!(r.messages[0].data, b"hi");
        assert_eq!(r.messages[0].expiration_ms, 2);
        assert!(r.more);
        assert!(matches!(
            parse_retrieve(&json!({"messages":[{"hash":"h","data":"!"}]})),
            Err(SnodeError::Decode { .. })
        ));
        let s = parse_store(&json!({"swarm":{"aa":{"hash":"H"},"bb":{"failed":true}}})).unwrap();
        assert_eq!(
            (s.hash.as_deref(), s.stored_by.len(), s.failed.len()),
            (Some("H"), 1, 1)
        );
        assert_eq!(
            parse_info(&json!({"version":[2,8,0],"timestamp":5,"t":6}))
                .unwrap()
                .timestamp_ms,
            6
        );
        assert!(parse_swarm(&json!({"swarm":"x"})).is_err());
    }

    #[test]
    fn ons_names_are_validated_and_records_round_trip() {
        assert!(ons_name_hash("-bad").is_err());
        assert!(ons_name_hash("").is_err());
        let (name, hash) = ons_name_hash("Alice_1").unwrap();
        assert_eq!(name, "alice_1");
        // Encrypt a record the way ONS does, then decrypt it.
        let mut mac = blake2::Blake2bMac::<U32>::new_from_slice(&hash).unwrap();
        Update::update(&mut mac, name.as_bytes());
        let key: [u8; 32] = mac.finalize_fixed().into();
        let id = [5u8; 33];
        let nonce = [9u8; 24];
        let ct = chacha20poly1305::XChaCha20Poly1305::new(&key.into())
            .encrypt(&nonce.into(), &id[..])
            .unwrap();
        let reply =
            json!({"result":{"encrypted_value": hex::encode(ct), "nonce": hex::encode(nonce)}});
        assert_eq!(decrypt_ons_record("alice_1", &reply).unwrap(), id);
        assert!(matches!(
            decrypt_ons_record("bob", &reply),
            Err(SnodeError::Ons { .. })
        ));
    }
}
