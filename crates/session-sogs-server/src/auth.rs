//! Request authentication: the four `X-SOGS-*` headers, checked in exactly the reference
//! server's order with its statuses and texts (spec/sogs-api.md §1.5,
//! `PS:sogs/routes/auth.py handle_http_auth`).
//!
//! | # | check | status |
//! |---|---|---|
//! | 1 | 1–3 headers missing or empty | 400 |
//! | 2 | pubkey not 33 bytes (hex/base64) | 400 |
//! | 3 | prefix not `00`/`15` (`25` with blind25) | 400 |
//! | 4 | not a valid prime-order point | 400 |
//! | 5 | `00` while blinding is required | 400 |
//! | 6 | nonce not 16 bytes | 400 |
//! | 7 | signature not 64 bytes | 400 |
//! | 8 | timestamp not an integer | 400 |
//! | 9 | timestamp more than 24 h away | 425 |
//! | 10 | user globally banned (before the signature!) | 403 |
//! | 11 | nonce reused | 425 |
//! | 12 | signature does not verify | 401 |

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use ed25519_dalek::{Signature, VerifyingKey};
use session_crypto::{ed25519_to_x25519_public, is_valid_ed25519_public_key, request_message};

use crate::app::App;
use crate::encoding::{decode_hex_or_b64, python_int};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Request;
use crate::model::user::{self, User};

/// The timestamp window: ±24 hours, bounds inclusive.
const WINDOW_SECS: f64 = 86_400.0;
/// Bound on the cache of already-validated public keys.
const KEY_CACHE_MAX: usize = 65_536;

const PREFIX: &str = "Invalid authentication: ";

fn reject(status: u16, what: &str) -> ApiError {
    ApiError::Reason(status, format!("{PREFIX}{what}"))
}

/// A public key that passed checks 3–5: the id it stands for and the decompressed key.
#[derive(Clone)]
struct KnownKey {
    id: String,
    key: VerifyingKey,
}

/// Public keys that already passed the point check, with the id they stand for and the
/// decompressed key: the check (a scalar multiplication by the group order) and the
/// decompression cost as much as the signature verification itself.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: Mutex<HashMap<[u8; 33], KnownKey>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

impl KeyCache {
    fn get(&self, pk: &[u8; 33]) -> Option<KnownKey> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(pk)
            .cloned()
    }

    fn put(&self, pk: [u8; 33], known: KnownKey) {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.len() >= KEY_CACHE_MAX {
            keys.clear();
        }
        keys.insert(pk, known);
    }
}

/// Authenticates `req` from its headers: `Ok(None)` for an anonymous request (no headers at
/// all), `Ok(Some(user))` for a valid one, the reference error otherwise.
pub(crate) fn authenticate(app: &App, req: &Request) -> ApiResult<Option<User>> {
    let get = |name: &str| req.header(name).filter(|v| !v.is_empty());
    let headers = [
        get("x-sogs-pubkey"),
        get("x-sogs-nonce"),
        get("x-sogs-timestamp"),
        get("x-sogs-signature"),
    ];
    let missing = headers.iter().filter(|h| h.is_none()).count();
    if missing == 4 {
        return Ok(None);
    }
    let [Some(pk), Some(nonce), Some(ts_str), Some(sig)] = headers else {
        return Err(ApiError::Reason(
            400,
            format!(
                "Invalid authentication headers: missing {missing}/4 required X-SOGS-* headers"
            ),
        ));
    };

    let pk: [u8; 33] = decode_hex_or_b64(pk)
        .ok_or_else(|| reject(400, "X-SOGS-Pubkey is not a valid 66-hex digit id"))?;
    let known = match app.auth_keys.get(&pk) {
        Some(k) => k,
        None => {
            let id = key_identity(app, &pk)?;
            let mut raw = [0u8; 32];
            raw.copy_from_slice(&pk[1..]);
            // Cannot fail: check 4 accepted the point, which is stricter than decompression.
            let key = VerifyingKey::from_bytes(&raw)
                .map_err(|_| reject(400, "given X-SOGS-Pubkey is not a valid Ed25519 pubkey"))?;
            let known = KnownKey { id, key };
            app.auth_keys.put(pk, known.clone());
            known
        }
    };
    let session_id = known.id;

    let nonce: [u8; 16] = decode_hex_or_b64(nonce).ok_or_else(|| {
        reject(
            400,
            "X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)",
        )
    })?;
    let sig: [u8; 64] =
        decode_hex_or_b64(sig).ok_or_else(|| reject(400, "X-SOGS-Signature is not base64[88]"))?;
    let ts = python_int(ts_str)
        .ok_or_else(|| reject(400, "X-SOGS-Timestamp is not a valid timestamp"))?;

    let now = app.clock.now();
    let ts = ts as f64;
    if !(now - WINDOW_SECS <= ts && ts <= now + WINDOW_SECS) {
        return Err(reject(425, "X-SOGS-Timestamp is too far from current time"));
    }

    // The user row exists from here on, whatever the signature says (reference behaviour).
    let user = match app.db.read(|c| user::by_session_id(c, &session_id))? {
        Some(u) => u,
        None => app
            .db
            .write(|tx| user::get_or_create(tx, &session_id, now, &app.policy))?,
    };
    if user.banned {
        return Err(ApiError::Reason(403, "Banned".into()));
    }
    if !app
        .nonces
        .claim(&app.db, nonce, user.id, now + WINDOW_SECS)?
    {
        return Err(reject(425, "X-SOGS-Nonce cannot be reused"));
    }

    let message = request_message(
        &app.server,
        &nonce,
        ts_str,
        &req.method,
        &req.target,
        &req.body,
    );
    // Strict verification (canonical S, no small-order R or key), as
    // `session_crypto::verify_ed25519`, on the cached decompressed key.
    if known
        .key
        .verify_strict(&message, &Signature::from_bytes(&sig))
        .is_err()
    {
        return Err(reject(401, "X-SOGS-Signature verification failed"));
    }
    app.activity.touch_user(user.id, now);
    Ok(Some(user))
}

/// Checks 3–5 for a key not seen before; returns the id the server knows the user by.
fn key_identity(app: &App, pk: &[u8; 33]) -> ApiResult<String> {
    let prefix = pk[0];
    let accepted = prefix == 0x00 || prefix == 0x15 || (prefix == 0x25 && app.policy.blind25);
    if !accepted {
        return Err(reject(
            400,
            if app.policy.blind25 {
                "X-SOGS-Pubkey must be 00-, 15- or 25- prefixed"
            } else {
                "X-SOGS-Pubkey must be 00- or 15- prefixed"
            },
        ));
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&pk[1..]);
    let invalid = || reject(400, "given X-SOGS-Pubkey is not a valid Ed25519 pubkey");
    if !is_valid_ed25519_public_key(&key) {
        return Err(invalid());
    }
    match prefix {
        0x00 if app.policy.require_blind => {
            Err(reject(400, "this server requires the use of blinded ids"))
        }
        0x00 => {
            let x = ed25519_to_x25519_public(&key).map_err(|_| invalid())?;
            Ok(format!("05{}", hex::encode(x)))
        }
        p => Ok(format!("{p:02x}{}", hex::encode(key))),
    }
}

/// 401 unless the request is authenticated (`user_required`).
pub(crate) fn require_user(user: Option<&User>) -> ApiResult<&User> {
    user.ok_or_else(ApiError::auth_required)
}

/// 401 unless the request is authenticated with a blinded key (`blind_user_required`).
pub(crate) fn require_blind_user(user: Option<&User>) -> ApiResult<&User> {
    let u = require_user(user)?;
    if !u.is_blinded() {
        return Err(ApiError::Reason(
            401,
            "This endpoint requires blinded pubkeys be used".into(),
        ));
    }
    Ok(u)
}
