//! Reading RPC parameters and checking request signatures (network.md §4.1).

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::storage::Account;

/// A parameter problem: answered `400 invalid request: <reason>` (SS `parse_error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError(pub String);

pub(crate) type Params<'a> = &'a Map<String, Value>;

fn err<T>(reason: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(reason.into()))
}

/// `pubkey` (alias `pubKey`): 66 hex digits, `05` (Session ID) or `03` (group) prefix.
pub(crate) fn account(p: Params<'_>) -> Result<Account, ParseError> {
    let Some(text) = p
        .get("pubkey")
        .or_else(|| p.get("pubKey"))
        .and_then(Value::as_str)
    else {
        return err("Required field 'pubkey' missing");
    };
    let mut out = [0u8; 33];
    if hex::decode_to_slice(text, &mut out).is_err() || !matches!(out[0], 0x03 | 0x05) {
        return err("invalid pubkey: expected 66 hex digits with a 03 or 05 prefix");
    }
    Ok(out)
}

/// A namespace (`namespace`, default 0) in i16 range.
pub(crate) fn namespace(p: Params<'_>) -> Result<i16, ParseError> {
    match p.get("namespace") {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v
            .as_i64()
            .and_then(|n| i16::try_from(n).ok())
            .map_or_else(|| err("invalid namespace"), Ok),
    }
}

/// `namespace` for `delete_all`: a number or `"all"` (`None`).
pub(crate) fn namespace_or_all(p: Params<'_>) -> Result<Option<i16>, ParseError> {
    match p.get("namespace") {
        Some(Value::String(s)) if s == "all" => Ok(None),
        _ => namespace(p).map(Some),
    }
}

/// An optional non-negative integer.
pub(crate) fn opt_u64(p: Params<'_>, name: &str) -> Result<Option<u64>, ParseError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map_or_else(|| err(format!("invalid {name}")), |n| Ok(Some(n))),
    }
}

/// A required non-negative integer.
pub(crate) fn req_u64(p: Params<'_>, name: &str) -> Result<u64, ParseError> {
    opt_u64(p, name)?.map_or_else(|| err(format!("Required field '{name}' missing")), Ok)
}

/// An optional integer that may be negative (`max_size`).
pub(crate) fn opt_i64(p: Params<'_>, name: &str) -> Result<Option<i64>, ParseError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map_or_else(|| err(format!("invalid {name}")), |n| Ok(Some(n))),
    }
}

/// An optional string.
pub(crate) fn opt_str<'a>(p: Params<'a>, name: &str) -> Result<Option<&'a str>, ParseError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => err(format!("invalid {name}: not a string")),
    }
}

/// A required, non-empty array of strings (message hashes).
pub(crate) fn hashes(p: Params<'_>, name: &str) -> Result<Vec<String>, ParseError> {
    let Some(items) = p.get(name).and_then(Value::as_array) else {
        return err(format!("Required field '{name}' missing"));
    };
    let out: Option<Vec<String>> = items
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect();
    match out {
        Some(v) if !v.is_empty() => Ok(v),
        _ => err(format!(
            "invalid {name}: expected a non-empty array of strings"
        )),
    }
}

/// Standard base64, padded or not.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    engine.decode(text).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .ok()
    })
}

/// `signature`: 64 bytes as base64 (padded or not) or 128 hex digits.
pub(crate) fn signature(p: Params<'_>) -> Result<Option<[u8; 64]>, ParseError> {
    let Some(text) = opt_str(p, "signature")? else {
        return Ok(None);
    };
    let bytes = if text.len() == 128 {
        hex::decode(text).ok()
    } else {
        decode_base64(text)
    };
    match bytes.and_then(|b| <[u8; 64]>::try_from(b).ok()) {
        Some(sig) => Ok(Some(sig)),
        None => err("invalid signature: expected 64 bytes of base64 or hex"),
    }
}

/// `pubkey_ed25519`: 64 hex digits.
pub(crate) fn ed25519_key(p: Params<'_>) -> Result<Option<[u8; 32]>, ParseError> {
    let Some(text) = opt_str(p, "pubkey_ed25519")? else {
        return Ok(None);
    };
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out)
        .map_or_else(|_| err("invalid pubkey_ed25519"), |()| Ok(Some(out)))
}

/// Checks a request signature (SS `verify_signature`): for a `05` account the Ed25519 key
/// is `pubkey_ed25519`, which must convert to the account's X25519 key; for a `03` group the
/// account key itself is the Ed25519 key.
pub(crate) fn signature_valid(
    account: &Account,
    ed25519: Option<&[u8; 32]>,
    signature: &[u8; 64],
    message: &[u8],
) -> bool {
    let Some(key) = account.last_chunk::<32>() else {
        return false;
    };
    let signer = match (account[0], ed25519) {
        (0x05, Some(ed)) => {
            match session_crypto::ed25519_to_x25519_public(ed) {
                Ok(x) if &x == key => {}
                _ => return false,
            }
            ed
        }
        (0x05, None) => return false,
        _ => key,
    };
    session_crypto::verify_ed25519(signer, message, signature).is_ok()
}

/// A namespace as signed text: `""` for 0, else its decimal value.
pub(crate) fn ns_text(namespace: i16) -> String {
    if namespace == 0 {
        String::new()
    } else {
        namespace.to_string()
    }
}

/// Namespaces divisible by 10 are public inboxes: anyone may store, unsigned.
pub(crate) fn is_public_inbox(namespace: i16) -> bool {
    namespace % 10 == 0
}

/// `−(20n + 1)`: public outboxes, readable without a signature.
pub(crate) fn is_public_outbox(namespace: i16) -> bool {
    namespace < 0 && (-i32::from(namespace)) % 20 == 1
}

/// Namespaces `retrieve` serves without a signature: −10 (legacy closed groups) and public
/// outboxes.
pub(crate) fn retrieve_needs_no_auth(namespace: i16) -> bool {
    namespace == -10 || is_public_outbox(namespace)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;
    use session_crypto::Identity;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn accounts_need_a_03_or_05_prefix() {
        let ok = map(json!({"pubKey": format!("05{}", "ab".repeat(32))}));
        assert_eq!(account(&ok).unwrap()[0], 5);
        for bad in [
            json!({"pubkey": format!("15{}", "ab".repeat(32))}),
            json!({"pubkey": "05ab"}),
            json!({}),
        ] {
            assert!(account(&map(bad)).is_err());
        }
    }

    #[test]
    fn namespace_kinds_follow_the_storage_server_rules() {
        assert!(is_public_inbox(0) && is_public_inbox(-10) && !is_public_inbox(11));
        assert!(is_public_outbox(-1) && is_public_outbox(-21) && !is_public_outbox(-11));
        assert!(retrieve_needs_no_auth(-10) && !retrieve_needs_no_auth(0));
        assert_eq!(ns_text(0), "");
        assert_eq!(ns_text(-11), "-11");
        assert_eq!(
            namespace_or_all(&map(json!({"namespace": "all"}))).unwrap(),
            None
        );
        assert!(namespace(&map(json!({"namespace": 40000}))).is_err());
    }

    #[test]
    fn signatures_check_the_ed_to_x_conversion_for_session_ids() {
        let id = Identity::from_seed(&[3u8; 16]).unwrap();
        let other = Identity::from_seed(&[4u8; 16]).unwrap();
        let account = id.session_id().to_bytes();
        let sig = id.sign(b"retrieve123");
        assert!(signature_valid(
            &account,
            Some(id.ed25519_public_key()),
            &sig,
            b"retrieve123"
        ));
        assert!(!signature_valid(&account, None, &sig, b"retrieve123"));
        assert!(!signature_valid(
            &account,
            Some(id.ed25519_public_key()),
            &sig,
            b"retrieve124"
        ));
        // Another key's valid signature does not speak for this account.
        assert!(!signature_valid(
            &account,
            Some(other.ed25519_public_key()),
            &other.sign(b"retrieve123"),
            b"retrieve123"
        ));
        let p =
            map(json!({"signature": base64::engine::general_purpose::STANDARD_NO_PAD.encode(sig)}));
        assert_eq!(signature(&p).unwrap(), Some(sig));
        let p = map(json!({"signature": hex::encode(sig)}));
        assert_eq!(signature(&p).unwrap(), Some(sig));
        assert!(signature(&map(json!({"signature": "AAAA"}))).is_err());
    }
}
